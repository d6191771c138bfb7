"""A small, cheap load generator for a server on the loopback interface.

Each virtual user is a thread with its own keep-alive ``http.client`` connection (reopened when
the server closes it, as gunicorn's sync workers do after every response); all users share the
session cookies of one signed-in agent. The client does little per request (no HTML parsing
after sign-in), so on a two-core machine it leaves the cores to gunicorn and PostgreSQL.
Every run is bounded by a request count and a duration, and stops by itself.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.stats import Summary, summarize

LOOPBACK = "127.0.0.1"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Request:
    """One request to send: method, path (with query string), form body."""

    method: str
    path: str
    body: bytes | None = None
    content_type: str = ""
    accept: str = "text/html"
    extra_headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Session:
    """Cookies (and the CSRF form token) of one browser session against ``port`` on loopback."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf_token: str = ""

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(LOOPBACK, self.port, timeout=TIMEOUT_SECONDS)

    def headers(self, request: Request) -> dict[str, str]:
        headers = {"Host": f"{LOOPBACK}:{self.port}", "Accept": request.accept}
        headers.update(request.extra_headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if request.body is not None:
            headers["Content-Type"] = request.content_type or "application/x-www-form-urlencoded"
        return headers

    def send(self, connection: http.client.HTTPConnection, request: Request) -> Response:
        """Send ``request`` on ``connection``, reconnecting once if the server closed it."""
        for attempt in (1, 2):
            try:
                connection.request(
                    request.method, request.path, body=request.body, headers=self.headers(request)
                )
                answer = connection.getresponse()
                body = answer.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                if attempt == 2:
                    raise
                continue
            if answer.will_close:
                connection.close()
            return Response(answer.status, answer.getheaders(), body)
        raise AssertionError("unreachable")

    def fetch(self, request: Request) -> Response:
        """Send one request on a fresh connection and keep the cookies the server sets."""
        connection = self.connect()
        try:
            response = self.send(connection, request)
        finally:
            connection.close()
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
        match = CSRF_INPUT.search(response.body)
        if match:
            self.csrf_token = match.group(1).decode()
        return response

    def sign_in(self, *, email: str, password: str) -> None:
        """Sign in through the login form (GET for the CSRF token, then POST)."""
        self.fetch(Request("GET", "/accounts/login/"))
        if not self.csrf_token:
            raise RuntimeError("the login page has no CSRF token")
        body = urlencode(
            {"login": email, "password": password, "csrfmiddlewaretoken": self.csrf_token}
        ).encode()
        response = self.fetch(Request("POST", "/accounts/login/", body=body))
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(
                f"signing in as {email} failed (HTTP {response.status}); check the password"
            )


def run_load(
    session: Session,
    make_request: Callable[[int, int], Request],
    *,
    users: int,
    requests: int,
    max_seconds: float,
    expected_status: int = 200,
    think_seconds: float = 0.0,
) -> tuple[Summary, str]:
    """Send ``requests`` requests from ``users`` concurrent virtual users (stopping early after
    ``max_seconds``); ``make_request(user, n)`` builds the ``n``-th request of ``user``, who
    pauses ``think_seconds`` after each answer (not counted in the latency).

    Returns the summary and the first unexpected answer (status and start of the body), if any.
    """
    lock = threading.Lock()
    issued = [0]
    latencies: list[float] = []
    errors = [0]
    first_error = [""]
    start_line = threading.Barrier(users + 1)
    deadline = [0.0]

    def take() -> bool:
        with lock:
            if issued[0] >= requests or time.perf_counter() > deadline[0]:
                return False
            issued[0] += 1
            return True

    def user_loop(user: int) -> None:
        connection = session.connect()
        mine: list[float] = []
        count = 0
        start_line.wait()
        try:
            while take():
                request = make_request(user, count)
                count += 1
                began = time.perf_counter()
                try:
                    response = session.send(connection, request)
                    status, body = response.status, response.body
                except OSError as error:
                    status, body = 0, str(error).encode()
                    connection.close()
                mine.append((time.perf_counter() - began) * 1000)
                if think_seconds:
                    time.sleep(think_seconds)
                if status != expected_status:
                    with lock:
                        errors[0] += 1
                        if not first_error[0]:
                            snippet = body[:300].decode("utf-8", "replace")
                            first_error[0] = f"HTTP {status}: {snippet}"
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=user_loop, args=(user,)) for user in range(users)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + max_seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return summarize(latencies, errors=errors[0], seconds=elapsed), first_error[0]
