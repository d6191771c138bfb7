"""A real IMAP server for the polling tests: Debian's dovecot-imapd, configured in a temporary
directory, listening on 127.0.0.1 (non-privileged port), one passwd-file user with a Maildir."""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PORTS = range(8143, 8150)
CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = supportdesk-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/home/%u/Maildir
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    maildir: Path
    uid: int
    gid: int

    def append(self, raw: bytes) -> None:
        """Deliver a message through IMAP APPEND (what a delivery agent does)."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.username, self.password)
        client.append("INBOX", None, None, raw)
        client.logout()

    def drop(self, name: str, raw: bytes) -> None:
        """Deliver a message by writing it into the Maildir's new/ folder (as an MTA does)."""
        new = self.maildir / "new"
        new.mkdir(parents=True, exist_ok=True)
        path = new / name
        path.write_bytes(raw)
        if os.geteuid() == 0:
            for item in (self.maildir, new, path):
                os.chown(item, self.uid, self.gid)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port in 8143-8149 for the test IMAP server")


@pytest.fixture
def imap_server():
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    # Not pytest's tmp_path: dovecot's unprivileged processes must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    os.chmod(root, 0o755)  # noqa: S103 - dovecot's own user must traverse it
    for name in ("run", "state", "home"):
        (root / name).mkdir(parents=True)
    if os.geteuid() == 0:
        # Dovecot refuses to run mail processes as root: they run as its own user.
        account = pwd.getpwnam("dovecot")
        uid, gid = account.pw_uid, account.pw_gid
        os.chown(root / "home", uid, gid)
    else:
        uid, gid = os.getuid(), os.getgid()
    port = _free_port()
    (root / "passwd").write_text("support:{PLAIN}imap-secret\n")
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, port=port, uid=uid, gid=gid))
    subprocess.run(
        [DOVECOT, "-c", str(config)],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield ImapServer(
            "127.0.0.1",
            port,
            "support",
            "imap-secret",
            root / "home" / "support" / "Maildir",
            uid,
            gid,
        )
    finally:
        subprocess.run(
            [DOVECOT, "-c", str(config), "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if not (root / "run" / "master.pid").exists():
                break
            time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)
