"""Material for the demo desk built by ``manage.py seed_demo``: names, reference lists, and the
subjects and conversation snippets of realistic brokerage support tickets in English and
Traditional Chinese (Hong Kong usage).

Nothing here touches the database; ``tickets/management/commands/seed_demo.py`` draws from these
lists with a seeded ``random.Random`` so the same seed always builds the same desk.

Conversation snippets are ``str.format`` templates. The placeholders they may use are filled in
per ticket by the seeding command: ``name`` (client), ``agent`` (agent's full name), ``os``,
``version`` (e.g. "Desktop 6.4.0"), ``release`` (just "6.4.0"), ``error``, ``amount``, ``bank``,
``symbol``, ``order_id``, ``eng`` (engineering ticket), ``month``, ``session``, ``ip`` and
``tier``.
"""

from dataclasses import dataclass

# --- Reference lists ------------------------------------------------------------------------

# (kind, code, English name, Traditional Chinese name)
SKILLS: tuple[tuple[str, str, str, str], ...] = (
    ("language", "en", "English", "英語"),
    ("language", "yue", "Cantonese", "粵語"),
    ("language", "cmn", "Mandarin", "普通話"),
    ("language", "ja", "Japanese", "日語"),
    ("language", "ko", "Korean", "韓語"),
    ("language", "th", "Thai", "泰語"),
    ("language", "vi", "Vietnamese", "越南語"),
    ("language", "id", "Bahasa Indonesia", "印尼語"),
    ("language", "de", "German", "德語"),
    ("language", "es", "Spanish", "西班牙語"),
    ("language", "fr", "French", "法語"),
    ("language", "hi", "Hindi", "印地語"),
    ("product", "desktop", "Desktop trading platform", "桌面交易平台"),
    ("product", "web", "Web portal", "網上交易平台"),
    ("product", "mobile", "Mobile app", "流動應用程式"),
    ("product", "api", "Trading API", "交易 API"),
    ("product", "account-setup", "Account setup", "開戶及帳戶設定"),
    ("product", "connectivity", "Connectivity (FIX / network)", "連線（FIX／網絡）"),
    ("product", "market-data", "Market data", "市場數據"),
    ("product", "funding", "Funding (deposits and withdrawals)", "存取款"),
)
PRODUCT_SKILLS = tuple(code for kind, code, _en, _zh in SKILLS if kind == "product")

# (slug, English name, Traditional Chinese name)
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("desktop", "Desktop trading platform", "桌面交易平台"),
    ("web", "Web portal", "網上交易平台"),
    ("mobile", "Mobile app", "流動應用程式"),
    ("api", "Trading API", "交易 API"),
    ("account-setup", "Account setup and security", "開戶及帳戶保安"),
    ("funding", "Deposits and withdrawals", "存款及提款"),
    ("connectivity", "Connectivity and FIX", "連線及 FIX"),
    ("market-data", "Market data", "市場數據"),
    ("statements-tax", "Statements and tax forms", "結單及稅務表格"),
    ("other", "Other", "其他"),
)

RESOLUTION_CODES: tuple[tuple[str, str, str], ...] = (
    ("fixed-by-agent", "Fixed by agent", "客服已處理"),
    ("user-guidance", "User guidance given", "已提供操作指引"),
    ("known-issue", "Known issue", "已知問題"),
    ("fixed-by-engineering", "Fixed by engineering", "技術團隊已修正"),
    ("configuration-change", "Configuration change", "已更改設定"),
    ("duplicate", "Duplicate", "重複個案"),
    ("no-response", "No response from client", "客戶未有回覆"),
    (
        "third-party",
        "Third-party issue (bank, exchange, vendor)",
        "第三方問題（銀行／交易所／供應商）",
    ),
)

# (slug, name, description, team email)
TEAMS: tuple[tuple[str, str, str, str], ...] = (
    (
        "tech-hk",
        "Technical Assistance HK",
        "First-line technical help for the desktop platform, web portal and mobile app, "
        "24 hours a day from Hong Kong.",
        "tech-hk@supportdesk.example",
    ),
    (
        "platform-t2",
        "Platform Tier 2",
        "Second line for API, FIX connectivity and market-data issues, and escalations from "
        "Technical Assistance HK.",
        "platform-t2@supportdesk.example",
    ),
    (
        "accounts",
        "Account Services",
        "Account opening, security, deposits and withdrawals, statements and tax forms.",
        "accounts@supportdesk.example",
    ),
)

# --- Staff ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    """One seeded staff member. ``teams`` pairs a team slug with the role in that team;
    ``languages`` pairs a language skill code with a proficiency (1–5)."""

    email: str
    full_name: str
    role: str  # a ``teams.access.Role`` value
    teams: tuple[tuple[str, str], ...] = ()
    language: str = "en"
    time_zone: str = "Asia/Hong_Kong"
    languages: tuple[tuple[str, int], ...] = (("en", 5), ("yue", 5))


_A, _S = "agent", "supervisor"
_EN_YUE = (("en", 5), ("yue", 5))
_YUE_EN = (("yue", 5), ("en", 4))

STAFF: tuple[StaffMember, ...] = (
    # Desk-wide roles.
    StaffMember("admin@supportdesk.example", "Ada Lam", "Administrator", languages=_EN_YUE),
    StaffMember(
        "manager@supportdesk.example",
        "Michael Tsang",
        "Manager",
        languages=(("en", 5), ("yue", 5), ("cmn", 3)),
    ),
    StaffMember(
        "priya.raman@supportdesk.example",
        "Priya Raman",
        "Manager",
        time_zone="Europe/London",
        languages=(("en", 5), ("hi", 4)),
    ),
    # Supervisors.
    StaffMember(
        "supervisor@supportdesk.example",
        "Wong Ka Yan",
        "Supervisor",
        teams=(("tech-hk", _S),),
        languages=(("en", 5), ("yue", 5), ("cmn", 4)),
    ),
    StaffMember(
        "daniel.cheung@supportdesk.example",
        "Daniel Cheung",
        "Supervisor",
        teams=(("tech-hk", _S),),
        languages=_EN_YUE,
    ),
    StaffMember(
        "lau.chikeung@supportdesk.example",
        "Lau Chi Keung",
        "Supervisor",
        teams=(("platform-t2", _S),),
        language="zh-hant",
        languages=_YUE_EN,
    ),
    StaffMember(
        "oliver.bennett@supportdesk.example",
        "Oliver Bennett",
        "Supervisor",
        teams=(("platform-t2", _S),),
        time_zone="Europe/London",
        languages=(("en", 5), ("de", 2)),
    ),
    StaffMember(
        "ho.meiling@supportdesk.example",
        "Ho Mei Ling",
        "Supervisor",
        teams=(("accounts", _S),),
        languages=(("en", 5), ("yue", 5), ("cmn", 4)),
    ),
    # Agents — Technical Assistance HK.
    StaffMember(
        "agent@supportdesk.example",
        "Alex Chan",
        "Agent",
        teams=(("tech-hk", _A),),
        languages=_EN_YUE,
    ),
    StaffMember(
        "agent.zh@supportdesk.example",
        "Lee Wing Sze",
        "Agent",
        teams=(("tech-hk", _A), ("accounts", _A)),
        language="zh-hant",
        languages=(("yue", 5), ("en", 4), ("cmn", 4)),
    ),
    StaffMember(
        "cheung.chiho@supportdesk.example",
        "Cheung Chi Ho",
        "Agent",
        teams=(("tech-hk", _A),),
        languages=_EN_YUE,
    ),
    StaffMember(
        "ng.hoiling@supportdesk.example",
        "Ng Hoi Ling",
        "Agent",
        teams=(("tech-hk", _A),),
        language="zh-hant",
        languages=_YUE_EN,
    ),
    StaffMember(
        "lam.mankit@supportdesk.example",
        "Lam Man Kit",
        "Agent",
        teams=(("tech-hk", _A),),
        languages=(("en", 4), ("yue", 5), ("cmn", 3)),
    ),
    StaffMember(
        "tsang.siuming@supportdesk.example",
        "Tsang Siu Ming",
        "Agent",
        teams=(("tech-hk", _A),),
        language="zh-hant",
        languages=_YUE_EN,
    ),
    StaffMember(
        "kenji.sato@supportdesk.example",
        "Kenji Sato",
        "Agent",
        teams=(("tech-hk", _A),),
        languages=(("en", 5), ("ja", 5)),
    ),
    StaffMember(
        "yeung.puiyee@supportdesk.example",
        "Yeung Pui Yee",
        "Agent",
        teams=(("tech-hk", _A),),
        languages=(("en", 4), ("yue", 5), ("cmn", 4)),
    ),
    StaffMember(
        "chow.hoyin@supportdesk.example",
        "Chow Ho Yin",
        "Agent",
        teams=(("tech-hk", _A),),
        languages=_EN_YUE,
    ),
    StaffMember(
        "emily.carter@supportdesk.example",
        "Emily Carter",
        "Agent",
        teams=(("tech-hk", _A),),
        time_zone="Europe/London",
        languages=(("en", 5), ("fr", 3)),
    ),
    StaffMember(
        "nguyen.thilan@supportdesk.example",
        "Nguyen Thi Lan",
        "Agent",
        teams=(("tech-hk", _A),),
        time_zone="Asia/Singapore",
        languages=(("en", 5), ("vi", 5)),
    ),
    StaffMember(
        "fung.chunhei@supportdesk.example",
        "Fung Chun Hei",
        "Agent",
        teams=(("tech-hk", _A), ("platform-t2", _A)),
        languages=_EN_YUE,
    ),
    # Agents — Platform Tier 2.
    StaffMember(
        "raj.patel@supportdesk.example",
        "Raj Patel",
        "Agent",
        teams=(("platform-t2", _A),),
        time_zone="Asia/Singapore",
        languages=(("en", 5), ("hi", 5)),
    ),
    StaffMember(
        "tam.kwokwai@supportdesk.example",
        "Tam Kwok Wai",
        "Agent",
        teams=(("platform-t2", _A),),
        languages=_EN_YUE,
    ),
    StaffMember(
        "mak.yanting@supportdesk.example",
        "Mak Yan Ting",
        "Agent",
        teams=(("platform-t2", _A), ("tech-hk", _A)),
        languages=(("en", 5), ("yue", 5), ("cmn", 3)),
    ),
    StaffMember(
        "park.jihoon@supportdesk.example",
        "Park Ji-hoon",
        "Agent",
        teams=(("platform-t2", _A),),
        languages=(("en", 5), ("ko", 5)),
    ),
    StaffMember(
        "lukas.schneider@supportdesk.example",
        "Lukas Schneider",
        "Agent",
        teams=(("platform-t2", _A),),
        time_zone="Europe/London",
        languages=(("en", 5), ("de", 5)),
    ),
    StaffMember(
        "sarah.goldberg@supportdesk.example",
        "Sarah Goldberg",
        "Agent",
        teams=(("platform-t2", _A),),
        time_zone="America/New_York",
        languages=(("en", 5), ("es", 3)),
    ),
    StaffMember(
        "lo.waikit@supportdesk.example",
        "Lo Wai Kit",
        "Agent",
        teams=(("platform-t2", _A),),
        language="zh-hant",
        languages=_YUE_EN,
    ),
    # Agents — Account Services.
    StaffMember(
        "leung.kawai@supportdesk.example",
        "Leung Ka Wai",
        "Agent",
        teams=(("accounts", _A),),
        languages=_EN_YUE,
    ),
    StaffMember(
        "siu.meiyee@supportdesk.example",
        "Siu Mei Yee",
        "Agent",
        teams=(("accounts", _A),),
        language="zh-hant",
        languages=(("yue", 5), ("en", 4), ("cmn", 5)),
    ),
    StaffMember(
        "tang.hiutung@supportdesk.example",
        "Tang Hiu Tung",
        "Agent",
        teams=(("accounts", _A),),
        languages=_EN_YUE,
    ),
    StaffMember(
        "somchai.wongsakul@supportdesk.example",
        "Somchai Wongsakul",
        "Agent",
        teams=(("accounts", _A),),
        languages=(("en", 4), ("th", 5)),
    ),
    StaffMember(
        "carlos.mendoza@supportdesk.example",
        "Carlos Mendoza",
        "Agent",
        teams=(("accounts", _A),),
        time_zone="America/New_York",
        languages=(("en", 5), ("es", 5)),
    ),
    StaffMember(
        "putri.handayani@supportdesk.example",
        "Putri Handayani",
        "Agent",
        teams=(("accounts", _A),),
        time_zone="Asia/Singapore",
        languages=(("en", 5), ("id", 5)),
    ),
    StaffMember(
        "zhang.wei@supportdesk.example",
        "Zhang Wei",
        "Agent",
        teams=(("accounts", _A),),
        language="zh-hant",
        languages=(("cmn", 5), ("en", 4), ("yue", 2)),
    ),
)

# The client demo login: a client record of its own, with a few tickets.
DEMO_CLIENT = {
    "email": "client@client.example",
    "name": "Chan Tai Man",
    "account_number": "HK20260001",
    "language": "en",
    "region": "HK",
    "time_zone": "Asia/Hong_Kong",
    "tier": "standard",
}

# --- Client names ---------------------------------------------------------------------------

# Hong Kong names: (characters, Cantonese romanisation); TW: (characters, Wade-Giles).
# fmt: off
HK_SURNAMES: tuple[tuple[str, str], ...] = (
    ("陳", "Chan"), ("黃", "Wong"), ("李", "Lee"), ("張", "Cheung"), ("劉", "Lau"),
    ("吳", "Ng"), ("梁", "Leung"), ("何", "Ho"), ("林", "Lam"), ("曾", "Tsang"),
    ("楊", "Yeung"), ("周", "Chow"), ("郭", "Kwok"), ("譚", "Tam"), ("麥", "Mak"),
    ("馮", "Fung"), ("盧", "Lo"), ("葉", "Yip"), ("鄧", "Tang"), ("蕭", "Siu"),
    ("鄭", "Cheng"), ("羅", "Law"), ("蔡", "Choi"), ("關", "Kwan"), ("余", "Yu"),
    ("彭", "Pang"),
)
HK_GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("大文", "Tai Man"), ("嘉欣", "Ka Yan"), ("詠詩", "Wing Sze"), ("志豪", "Chi Ho"),
    ("家豪", "Ka Ho"), ("凱玲", "Hoi Ling"), ("文傑", "Man Kit"), ("小明", "Siu Ming"),
    ("偉傑", "Wai Kit"), ("美玲", "Mei Ling"), ("佩儀", "Pui Yee"), ("浩賢", "Ho Yin"),
    ("子晴", "Tsz Ching"), ("俊熙", "Chun Hei"), ("欣婷", "Yan Ting"), ("國威", "Kwok Wai"),
    ("曉彤", "Hiu Tung"), ("家偉", "Ka Wai"), ("思穎", "Sze Wing"), ("建華", "Kin Wah"),
    ("麗珊", "Lai Shan"), ("卓謙", "Cheuk Him"), ("慧敏", "Wai Man"), ("永康", "Wing Hong"),
)
HK_ENGLISH_NAMES: tuple[str, ...] = (
    "Kelvin", "Winnie", "Jason", "Cathy", "Ivan", "Queenie", "Raymond", "Phoebe", "Terence",
    "Karen", "Eric", "Joyce", "Vincent", "Mandy", "Alan", "Gigi", "Desmond", "Fiona", "Ken",
    "Yvonne",
)
TW_NAMES: tuple[tuple[str, str], ...] = (
    ("王小明", "Wang Hsiao-ming"), ("林怡君", "Lin Yi-chun"), ("陳冠宇", "Chen Kuan-yu"),
    ("張雅婷", "Chang Ya-ting"), ("黃志偉", "Huang Chih-wei"), ("李佳穎", "Lee Chia-ying"),
    ("吳承恩", "Wu Cheng-en"), ("蔡宗翰", "Tsai Tsung-han"),
)
WESTERN_FIRST_NAMES: tuple[str, ...] = (
    "James", "Olivia", "William", "Charlotte", "Thomas", "Amelia", "Daniel", "Sophie", "Matthew",
    "Emma", "Benjamin", "Grace", "Lucas", "Hannah", "Noah", "Chloe", "Henry", "Isabella",
)
WESTERN_LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Taylor", "Brown", "Wilson", "Evans", "Walker", "Thompson", "Clarke",
    "Robinson", "Hughes", "Martin", "Anderson", "Murphy", "Kelly", "Campbell",
)
GERMAN_NAMES: tuple[str, ...] = (
    "Jonas Weber", "Anna Fischer", "Felix Wagner", "Lena Becker", "Maximilian Hoffmann",
    "Laura Schulz",
)
JAPANESE_NAMES: tuple[str, ...] = (
    "Takahashi Yuki", "Suzuki Haruto", "Tanaka Aoi", "Watanabe Ren", "Yamamoto Sakura",
    "Nakamura Sota", "Kobayashi Mei",
)
SINGAPORE_NAMES: tuple[str, ...] = (
    "Tan Wei Ming", "Lim Hui Min", "Ng Jun Jie", "Priya Nair", "Muhammad Faizal", "Goh Shu Fen",
    "Rajesh Kumar", "Ong Li Ting",
)
MALAYSIA_NAMES: tuple[str, ...] = (
    "Ahmad Rahman", "Lim Chee Keong", "Nurul Aisyah", "Wong Mei Kuan", "Siti Hajar",
    "Tan Boon Huat",
)
# fmt: on

# (region, weight, time zones)
REGIONS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("HK", 70.0, ("Asia/Hong_Kong",)),
    ("SG", 6.0, ("Asia/Singapore",)),
    ("GB", 4.0, ("Europe/London",)),
    ("US", 4.0, ("America/New_York", "America/Los_Angeles")),
    ("AU", 3.0, ("Australia/Sydney",)),
    ("TW", 4.0, ("Asia/Taipei",)),
    ("JP", 2.5, ("Asia/Tokyo",)),
    ("MY", 2.5, ("Asia/Kuala_Lumpur",)),
    ("CA", 2.0, ("America/Toronto", "America/Vancouver")),
    ("DE", 2.0, ("Europe/Berlin",)),
)
PERSONAL_EMAIL_DOMAINS: tuple[str, ...] = (
    "mail.example",
    "inbox.example",
    "webmail.example",
    "hknet.example",
    "harbourmail.example",
    "kowloon.example",
    "pacificnet.example",
    "lionrock.example",
)
INSTITUTIONAL_DOMAINS: tuple[str, ...] = (
    "victoria-capital.example",
    "junkbay-partners.example",
    "peak-family-office.example",
    "tsimshatsui-am.example",
    "orient-quant.example",
    "stonecutters-fund.example",
)

# --- Ticket details -------------------------------------------------------------------------

PLATFORM_DETAILS: dict[str, tuple[tuple[str, str], ...]] = {
    "desktop": (
        ("Windows 11 23H2", "Desktop 6.4.2"),
        ("Windows 11 24H2", "Desktop 6.4.1"),
        ("Windows 10 22H2", "Desktop 6.4.0"),
        ("Windows 10 22H2", "Desktop 6.3.5"),
        ("macOS 15 Sequoia", "Desktop 6.4.2"),
        ("macOS 14 Sonoma", "Desktop 6.4.1"),
    ),
    "web": (
        ("Chrome 131 / Windows 11", "Web 2026.11"),
        ("Edge 131 / Windows 10", "Web 2026.11"),
        ("Safari 18 / macOS 15", "Web 2026.11"),
        ("Firefox 133 / Windows 11", "Web 2026.10"),
        ("Chrome 130 / macOS 14", "Web 2026.10"),
    ),
    "mobile": (
        ("iOS 18.1 (iPhone 15)", "Mobile 8.3.0"),
        ("iOS 18.0 (iPhone 13)", "Mobile 8.2.1"),
        ("iOS 17.6 (iPhone 12)", "Mobile 8.3.0"),
        ("Android 15 (Pixel 8)", "Mobile 8.3.1"),
        ("Android 14 (Galaxy S23)", "Mobile 8.3.0"),
        ("Android 13 (Xiaomi 12)", "Mobile 8.2.1"),
    ),
    "api": (
        ("Ubuntu 22.04 / Python 3.12", "REST API v2"),
        ("Windows Server 2022 / .NET 8", "REST API v2"),
        ("Debian 12 / Java 21", "REST API v2"),
        ("macOS 15 / Node.js 22", "REST API v1"),
    ),
    "fix": (
        ("RHEL 9 / QuickFIX/J", "FIX 4.4"),
        ("Ubuntu 22.04 / QuickFIX", "FIX 4.4"),
        ("Windows Server 2019 / OnixS", "FIX 4.2"),
    ),
}

# (English, Traditional Chinese) names of banks clients fund from.
BANKS: tuple[tuple[str, str], ...] = (
    ("HSBC", "滙豐銀行"),
    ("Hang Seng Bank", "恒生銀行"),
    ("Bank of China (Hong Kong)", "中銀香港"),
    ("Standard Chartered", "渣打銀行"),
    ("DBS", "星展銀行"),
    ("Bank of East Asia", "東亞銀行"),
    ("Citibank", "花旗銀行"),
)
# Instruments clients trade.
# fmt: off
SYMBOLS: tuple[str, ...] = (
    "0700.HK", "9988.HK", "0005.HK", "2800.HK", "3690.HK", "1810.HK", "0388.HK", "AAPL", "NVDA",
    "TSLA", "MSFT", "SPY",
)
# fmt: on

ERROR_CODES: tuple[str, ...] = ("E-1042", "E-2011", "E-3007", "ORD-116", "ORD-203", "AUTH-09")

# --- Ticket scenarios -----------------------------------------------------------------------


@dataclass(frozen=True)
class Conversation:
    """The words of one scenario in one language."""

    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    first_replies: tuple[str, ...]
    followups: tuple[str, ...]
    final_replies: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """A kind of ticket the desk sees: where it goes, how urgent it tends to be, how it usually
    ends, and what people write about it in English (``en``) and Traditional Chinese (``zh``).

    ``priorities`` weights P1–P4; ``platform`` keys ``PLATFORM_DETAILS`` (blank: none);
    ``notes`` and ``summaries`` are internal English text.
    """

    key: str
    category: str
    team: str
    weight: float
    priorities: tuple[float, float, float, float]
    tags: tuple[str, ...]
    platform: str
    escalation_rate: float
    resolution_codes: tuple[str, ...]
    notes: tuple[str, ...]
    summaries: tuple[str, ...]
    en: Conversation
    zh: Conversation


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="login-failed",
        category="web",
        team="tech-hk",
        weight=11,
        priorities=(0.02, 0.18, 0.65, 0.15),
        tags=("login", "password"),
        platform="web",
        escalation_rate=0.03,
        resolution_codes=("user-guidance", "fixed-by-agent", "configuration-change"),
        notes=(
            "Auth log shows 5 failed attempts then lockout at the login service. Unlocked.",
            "Password reset link was sent to an old email; client updated it by phone "
            "after ID verification.",
            "Browser extension (password manager autofill) was submitting the old password.",
        ),
        summaries=(
            "Account locked after repeated failed logins; unlocked after ID verification and "
            "client reset the password.",
            "Client was using the trading password on the portal login; explained the "
            "difference and the client signed in.",
            "Cached credentials in the browser; cleared site data and login succeeded.",
        ),
        en=Conversation(
            subjects=(
                "Cannot log in to the web portal",
                "Login fails with error {error}",
                "Account locked after password reset",
                "Keeps saying my password is incorrect",
            ),
            descriptions=(
                "Hi,\n\nSince this morning I cannot log in to the web portal. I enter my "
                "email and password and get **{error}: invalid credentials**, although I am "
                "sure the password is right. I am using {os}.\n\nPlease help, I need to "
                "place an order before the close.\n\n{name}",
                "Hello, I reset my password yesterday and now the portal says my account "
                "is locked. I tried the reset link again but it says it has expired. "
                "Browser: {os}.\n\nThanks,\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThank you for contacting us. Your account was locked "
                "after several unsuccessful attempts. I have unlocked it; please:\n\n"
                "1. Clear your browser cache or use a private window\n"
                "2. Sign in at the web portal with your **login password** "
                "(not the trading password)\n\n"
                "Let us know if it still fails.\n\nRegards,\n{agent}",
                "Dear {name},\n\nSorry for the trouble. Could you tell us the exact time "
                "of your last attempt and send a screenshot of the error? That lets us "
                "find the request in our logs.\n\nRegards,\n{agent}",
            ),
            followups=(
                "I tried again in a private window and it still shows {error}.",
                "Attached the screenshot. It happened at about 9:40 this morning.",
                "Still locked, I did not receive any reset email.",
            ),
            final_replies=(
                "Hi {name},\n\nWe reset the login on our side and sent a new reset "
                "link to your registered email. It is valid for 30 minutes. Once you have "
                "set a new password you can sign in as usual.\n\nRegards,\n{agent}",
                "Hi {name},\n\nGlad to hear you are back in. The issue was an old "
                "password saved in your browser's password manager. We have closed this "
                "request; reply to this email if anything else comes up.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "無法登入網上交易平台",
                "登入失敗，顯示錯誤 {error}",
                "重設密碼後戶口被鎖",
                "一直顯示密碼錯誤",
            ),
            descriptions=(
                "你好，\n\n今早開始我無法登入網上平台，輸入電郵及密碼後顯示 **{error}**，"
                "但我肯定密碼正確。我用的是 {os}。\n\n收市前需要落盤，請盡快協助，謝謝。\n\n{name}",
                "你好，我昨日重設咗密碼，今日登入就話戶口被鎖。再按重設連結又話已過期，"
                "請問點算？瀏覽器：{os}\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n多謝您的查詢。由於多次輸入錯誤密碼，您的戶口暫時被鎖，"
                "我們已為您解鎖。請：\n\n1. 清除瀏覽器快取或使用無痕模式\n"
                "2. 以**登入密碼**（並非交易密碼）登入\n\n如仍有問題請回覆此電郵。\n\n{agent}",
                "{name}您好，\n\n抱歉為您帶來不便。請提供最後一次嘗試登入的時間及錯誤畫面截圖，"
                "以便我們翻查系統紀錄。\n\n{agent}",
            ),
            followups=(
                "用無痕模式試過，仍然顯示 {error}。",
                "已附上截圖，大約今早九點四十分發生。",
                "戶口仍然被鎖，亦收不到重設密碼電郵。",
            ),
            final_replies=(
                "{name}您好，\n\n我們已重設您的登入，並已將新的重設連結發送至您的登記電郵，"
                "連結 30 分鐘內有效。設定新密碼後即可照常登入。\n\n{agent}",
                "{name}您好，\n\n很高興您已成功登入。問題源於瀏覽器密碼管理工具儲存了舊密碼。"
                "此個案現已完成，如有其他問題歡迎隨時聯絡我們。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="two-factor",
        category="account-setup",
        team="tech-hk",
        weight=8,
        priorities=(0.03, 0.27, 0.6, 0.1),
        tags=("2fa", "security"),
        platform="mobile",
        escalation_rate=0.02,
        resolution_codes=("fixed-by-agent", "user-guidance"),
        notes=(
            "Verified identity by call-back to registered number before resetting 2FA.",
            "Phone clock was 3 minutes off; codes outside the tolerance window.",
            "2FA reset done per SOP-SEC-04, second approver: supervisor.",
        ),
        summaries=(
            "Client changed phone without moving the authenticator; 2FA reset after identity "
            "check and re-enrolled.",
            "Time on the client's phone was wrong; enabled automatic time and codes work.",
        ),
        en=Conversation(
            subjects=(
                "2FA codes not accepted after changing phone",
                "Not receiving SMS verification code",
                "Lost my phone – need to reset two-factor authentication",
            ),
            descriptions=(
                "I moved to a new phone ({os}) over the weekend and now the 6-digit codes "
                "from my authenticator app are always rejected. I can't log in at all.\n\n"
                "{name}",
                "Hi, I am not getting the SMS code when I log in. I waited 10 minutes and "
                "tried three times. My mobile number has not changed.\n\nRegards,\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nFor your security we need to verify your identity before "
                "resetting two-factor authentication. We will call you on your registered "
                "number within the next hour from +852 2xxx xxxx.\n\nRegards,\n{agent}",
                "Hi {name},\n\nPlease check that your phone's date and time are set "
                "**automatically** — authenticator codes depend on an accurate clock. "
                "Then try a fresh code.\n\nRegards,\n{agent}",
            ),
            followups=(
                "Missed your call, can you try again after 3pm?",
                "Time is set to automatic. Still not working.",
            ),
            final_replies=(
                "Hi {name},\n\nThanks for confirming your details on the phone. Two-factor "
                "authentication has been reset; on your next login you will be asked to "
                "scan a new QR code with your authenticator app.\n\nRegards,\n{agent}",
                "Hi {name},\n\nThe SMS provider had a delay for some networks this "
                "morning; it is resolved now and codes are arriving normally.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "換手機後雙重認證碼無效",
                "收不到短訊驗證碼",
                "遺失手機，需要重設雙重認證",
            ),
            descriptions=(
                "週末換了新手機（{os}），之後認證程式的六位數字碼一直無效，完全無法登入。"
                "\n\n{name}",
                "你好，登入時收不到短訊驗證碼，等了十分鐘亦試了三次，手機號碼沒有更改。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n為保障戶口安全，重設雙重認證前我們需要核實您的身份。"
                "我們會於一小時內致電您的登記電話號碼。\n\n{agent}",
                "{name}您好，\n\n請確認手機的日期及時間設定為**自動**，"
                "因認證碼需要準確的時間。之後再輸入新的認證碼試試。\n\n{agent}",
            ),
            followups=(
                "錯過了你們的來電，可否下午三點後再打？",
                "時間已設為自動，但仍然無效。",
            ),
            final_replies=(
                "{name}您好，\n\n多謝您在電話中核實資料。雙重認證已重設，"
                "下次登入時系統會要求您用認證程式掃描新的二維碼。\n\n{agent}",
                "{name}您好，\n\n今早部分網絡的短訊服務出現延誤，現已恢復正常。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="desktop-crash",
        category="desktop",
        team="tech-hk",
        weight=9,
        priorities=(0.12, 0.38, 0.45, 0.05),
        tags=("crash", "desktop-update"),
        platform="desktop",
        escalation_rate=0.2,
        resolution_codes=("known-issue", "fixed-by-engineering", "fixed-by-agent"),
        notes=(
            "Crash dump attached to {eng}; same stack trace as the 6.4.0 GPU renderer bug.",
            "Workaround: start with --safe-mode (software rendering). Client confirmed OK.",
            "Engineering confirmed fix in 6.4.2, rolling out via auto-update.",
        ),
        summaries=(
            "Known 6.4.0 crash with some GPU drivers; client updated to 6.4.2.",
            "Corrupted workspace file after update; renamed the profile folder and the "
            "platform starts normally.",
            "Antivirus quarantined the updater; added exclusion and reinstalled.",
        ),
        en=Conversation(
            subjects=(
                "Desktop platform crashes on start-up after update to {release}",
                "Trading platform closes when opening the option chain",
                "Desktop app freezes at the splash screen",
            ),
            descriptions=(
                "After the automatic update to {release} last night, the desktop platform "
                "crashes every time I start it. It shows the splash screen and then "
                "closes without any message.\n\n- OS: {os}\n- Reinstalled once, same "
                "result\n\nI cannot trade at the moment, please treat as urgent.\n\n{name}",
                "Hi team, the platform ({version}) closes as soon as I open the option "
                "chain for {symbol}. Other windows work. Happens on {os}.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nSorry about this. Could you send us the crash log? It is in "
                "`%APPDATA%\\SupportDesk\\logs` (Windows) or `~/Library/Logs/SupportDesk` "
                "(macOS). Meanwhile you can trade through the web portal.\n\nRegards,\n"
                "{agent}",
                "Hi {name},\n\nThis matches a known issue in {version} with certain "
                "graphics drivers. As a workaround, start the platform in safe mode "
                "(hold **Shift** while launching). A fixed version is being rolled "
                "out.\n\nRegards,\n{agent}",
            ),
            followups=(
                "Log files attached. Safe mode works but charts look slow.",
                "Still crashing after reinstalling, this is really affecting my trading.",
                "When will the fixed version be available?",
            ),
            final_replies=(
                "Hi {name},\n\nVersion 6.4.2 with the fix is now available. The platform "
                "will offer the update at next start; after updating you can leave safe "
                "mode.\n\nRegards,\n{agent}",
                "Hi {name},\n\nThe crash was caused by a workspace file damaged during "
                "the update. After renaming the profile folder the platform starts "
                "normally; your saved layouts are restored from the server.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "更新至 {release} 後桌面平台閃退",
                "開啟期權鏈時交易平台自動關閉",
                "桌面平台卡在啟動畫面",
            ),
            descriptions=(
                "昨晚自動更新至 {release} 後，每次開啟桌面平台都會閃退，"
                "出現啟動畫面後便自動關閉，沒有任何錯誤訊息。\n\n- 系統：{os}\n"
                "- 已重新安裝一次，情況相同\n\n現在無法交易，請盡快處理。\n\n{name}",
                "你好，平台（{version}）一打開 {symbol} 的期權鏈就會關閉，其他視窗正常。"
                "電腦系統：{os}。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n抱歉為您帶來不便。請將當機紀錄檔發送給我們，檔案位於 "
                "`%APPDATA%\\SupportDesk\\logs`（Windows）或 `~/Library/Logs/SupportDesk`"
                "（macOS）。期間您可使用網上平台交易。\n\n{agent}",
                "{name}您好，\n\n此問題屬於 {version} 在部分顯示卡驅動程式上的已知問題。"
                "暫時可在啟動時按住 **Shift** 以安全模式開啟平台，修正版本正在推出。\n\n{agent}",
            ),
            followups=(
                "已附上紀錄檔。安全模式可以開啟，但圖表比較慢。",
                "重新安裝後仍然閃退，非常影響交易。",
                "請問修正版本幾時推出？",
            ),
            final_replies=(
                "{name}您好，\n\n已修正問題的 6.4.2 版本現已推出，下次開啟平台時會提示更新，"
                "更新後即可正常使用，無需再用安全模式。\n\n{agent}",
                "{name}您好，\n\n閃退是由於更新時工作區檔案損壞所致。重新命名設定檔資料夾後，"
                "平台已可正常啟動，您的版面設定亦已從伺服器還原。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="order-rejected",
        category="web",
        team="tech-hk",
        weight=10,
        priorities=(0.08, 0.4, 0.47, 0.05),
        tags=("orders", "rejection"),
        platform="web",
        escalation_rate=0.08,
        resolution_codes=("user-guidance", "fixed-by-agent", "configuration-change"),
        notes=(
            "Order {order_id} rejected by pre-trade risk: buying power excluded unsettled "
            "sale proceeds.",
            "Rejected because of lot size: {symbol} trades in board lots; client entered odd lot.",
            "Trading permission for US options was not enabled on the account.",
        ),
        summaries=(
            "Order rejected for insufficient buying power (unsettled funds); explained T+2 "
            "settlement.",
            "Odd-lot quantity; explained board lots and the odd-lot market.",
            "Enabled the missing market permission after the client signed the risk disclosure.",
        ),
        en=Conversation(
            subjects=(
                "Order rejected: insufficient buying power",
                "Order {order_id} rejected with {error}",
                "Cannot place order for {symbol}",
            ),
            descriptions=(
                "I tried to buy {symbol} this morning and the order ({order_id}) was "
                'rejected with "insufficient buying power", but my account shows enough '
                "cash. I sold other shares yesterday.\n\n{name}",
                "Every order I send for {symbol} is rejected with error {error}. Limit "
                "and market orders both. Please check urgently.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThe proceeds of yesterday's sale settle on **T+2**, so "
                "they are not yet part of your buying power for this market. You can see "
                "the settled and unsettled amounts under *Portfolio › Cash*.\n\nRegards,\n"
                "{agent}",
                "Hi {name},\n\nWe can see order {order_id} was rejected by our pre-trade "
                "checks. Could you confirm the quantity you entered? {symbol} trades in "
                "board lots.\n\nRegards,\n{agent}",
            ),
            followups=(
                "I entered 150 shares. Is that the problem?",
                "I understand, but why did it work last week with the same amount?",
            ),
            final_replies=(
                "Hi {name},\n\nYes — 150 is not a multiple of the board lot. Orders in "
                "whole lots go to the main market; the remaining odd lot can be sold "
                "through the odd-lot market.\n\nRegards,\n{agent}",
                "Hi {name},\n\nYour account now has the trading permission for this "
                "market and your test order went through. Thank you for your "
                "patience.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "落盤被拒：購買力不足",
                "訂單 {order_id} 被拒，錯誤 {error}",
                "無法為 {symbol} 落盤",
            ),
            descriptions=(
                "今早買 {symbol} 時訂單（{order_id}）被拒，顯示「購買力不足」，"
                "但戶口現金足夠，我昨日沽咗其他股票。\n\n{name}",
                "每次為 {symbol} 落盤都顯示錯誤 {error}，限價盤及市價盤都一樣，請盡快查看。"
                "\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n昨日沽出股票的款項於 **T+2** 交收，因此暫未計入此市場的購買力。"
                "您可於「投資組合 › 現金」查看已交收及未交收金額。\n\n{agent}",
                "{name}您好，\n\n訂單 {order_id} 被交易前風險檢查拒絕。請確認輸入的股數，"
                "{symbol} 需以每手股數買賣。\n\n{agent}",
            ),
            followups=(
                "我輸入了 150 股，是否這個原因？",
                "明白，但上星期同樣金額為何可以成交？",
            ),
            final_replies=(
                "{name}您好，\n\n是的，150 股並非每手股數的倍數。完整手數的訂單會在主板市場買賣，"
                "餘下的碎股可透過碎股市場沽出。\n\n{agent}",
                "{name}您好，\n\n您的戶口現已開通此市場的交易權限，測試訂單亦已成功。"
                "多謝您的耐心等候。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="api-rate-limit",
        category="api",
        team="platform-t2",
        weight=5,
        priorities=(0.05, 0.35, 0.5, 0.1),
        tags=("api", "429", "rate-limit"),
        platform="api",
        escalation_rate=0.1,
        resolution_codes=("user-guidance", "configuration-change", "known-issue"),
        notes=(
            "Gateway metrics: client peaks at ~60 req/s on /v2/quotes, limit is 20 req/s.",
            "Institutional tier qualifies for raised limit; approved by supervisor.",
            "Client polls order status in a tight loop — recommended the streaming endpoint.",
        ),
        summaries=(
            "Client exceeded the REST rate limit by polling; moved to the streaming API.",
            "Raised the rate limit for the institutional API key.",
        ),
        en=Conversation(
            subjects=(
                "REST API returning 429 Too Many Requests",
                "Rate limit hit on /v2/orders since this morning",
                "API throttling during market open",
            ),
            descriptions=(
                "Our trading bot gets **HTTP 429** on almost every call to `/v2/quotes` "
                "since 09:30. We send about 15 requests per second which should be "
                "within the documented limit.\n\nEnvironment: {os}, {version}.\n\n{name}",
                "Hello,\n\nWe see `429 Too Many Requests` with `Retry-After: 1` on order "
                "placement right at the market open. It causes missed fills. Can the "
                "limit be raised for our key?\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nOur gateway shows bursts of up to 60 requests per second "
                "from your key at 09:30. Limits are enforced per second, so short bursts "
                "trigger 429 even if the average is lower. Please add client-side "
                "throttling and honour `Retry-After`.\n\nRegards,\n{agent}",
                "Hi {name},\n\nFor order status we recommend the streaming endpoint "
                "(`/v2/stream/orders`) instead of polling — it does not count against "
                "the REST limit.\n\nRegards,\n{agent}",
            ),
            followups=(
                "We added a token bucket on our side. Better, but still some 429 at the open.",
                "Is the streaming endpoint available on REST API v1 as well?",
            ),
            final_replies=(
                "Hi {name},\n\nAs an institutional client your key now has the raised "
                "limit (50 requests per second). The change is live.\n\nRegards,\n"
                "{agent}",
                "Hi {name},\n\nThanks for confirming that the streaming endpoint solved "
                "it. Closing this request.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "REST API 出現 429 錯誤（請求過多）",
                "今早起 /v2/orders 觸發請求上限",
                "開市時 API 被限流",
            ),
            descriptions=(
                "我們的交易程式由 09:30 開始呼叫 `/v2/quotes` 幾乎每次都收到 **HTTP 429**。"
                "我們每秒約 15 個請求，應在文件所述上限之內。\n\n環境：{os}，{version}。\n\n{name}",
                "你好，開市時落盤收到 `429 Too Many Requests`（`Retry-After: 1`），"
                "導致未能成交。可否提高我們 API 金鑰的上限？\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n系統顯示您的金鑰在 09:30 每秒最多發出 60 個請求。"
                "上限以每秒計算，短時間的高峰即使平均較低亦會觸發 429。"
                "請在程式端加入限流並遵從 `Retry-After`。\n\n{agent}",
                "{name}您好，\n\n查詢訂單狀態建議使用串流端點（`/v2/stream/orders`），"
                "不計入 REST 請求上限。\n\n{agent}",
            ),
            followups=(
                "已加入限流機制，情況改善，但開市時仍有部分 429。",
                "REST API v1 是否亦支援串流端點？",
            ),
            final_replies=(
                "{name}您好，\n\n作為機構客戶，您的金鑰上限已提高至每秒 50 個請求，即時生效。"
                "\n\n{agent}",
                "{name}您好，\n\n多謝確認串流端點已解決問題，此個案現已完成。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="api-auth",
        category="api",
        team="platform-t2",
        weight=3,
        priorities=(0.03, 0.27, 0.6, 0.1),
        tags=("api", "401", "api-key"),
        platform="api",
        escalation_rate=0.05,
        resolution_codes=("user-guidance", "configuration-change", "fixed-by-agent"),
        notes=(
            "Key was created on the demo environment; client calls production.",
            "Clock skew 45 s on client host; signed requests outside the 30 s window.",
        ),
        summaries=(
            "Request signatures rejected due to clock skew; client enabled NTP.",
            "Client used a demo key against production; issued a production key.",
        ),
        en=Conversation(
            subjects=(
                "API key returns 401 Unauthorized",
                "Signature invalid on every API request",
            ),
            descriptions=(
                "We generated a new API key yesterday but every request returns `401 "
                "Unauthorized` with `invalid signature`. Same code works with our old "
                "key.\n\nHost: {os}\n\n{name}",
                "Since the weekend all signed requests fail with 401. Nothing changed in "
                "our code. Could you check our key?\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nSigned requests must carry a timestamp within 30 seconds "
                "of our server time. Our logs show your requests are about 45 seconds "
                "ahead — please check NTP on the host.\n\nRegards,\n{agent}",
                "Hi {name},\n\nThe key you are using was created in the **demo** "
                "environment. Production keys are created under *Settings › API* on the "
                "live portal.\n\nRegards,\n{agent}",
            ),
            followups=("NTP was disabled after a server rebuild. Fixed now, thanks!",),
            final_replies=(
                "Hi {name},\n\nGreat, we can see successful requests from your key now. "
                "Closing this ticket.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("API 金鑰出現 401 錯誤", "所有 API 請求均顯示簽名無效"),
            descriptions=(
                "昨日新增了 API 金鑰，但每個請求都回傳 `401 Unauthorized`（`invalid signature`），"
                "同一程式用舊金鑰則正常。\n\n主機：{os}\n\n{name}",
                "週末開始所有簽名請求都失敗（401），程式沒有更改，請幫忙檢查我們的金鑰。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n簽名請求的時間戳記須與伺服器時間相差不多於 30 秒。"
                "紀錄顯示您的請求快了約 45 秒，請檢查主機的 NTP 設定。\n\n{agent}",
                "{name}您好，\n\n您使用的金鑰是在**模擬**環境建立的。"
                "正式環境的金鑰需在正式平台的「設定 › API」建立。\n\n{agent}",
            ),
            followups=("伺服器重建後 NTP 被停用了，現已修正，謝謝！",),
            final_replies=(
                "{name}您好，\n\n系統已顯示您的金鑰請求成功，此個案現已完成。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="fix-disconnect",
        category="connectivity",
        team="platform-t2",
        weight=4,
        priorities=(0.2, 0.45, 0.3, 0.05),
        tags=("fix", "connectivity"),
        platform="fix",
        escalation_rate=0.25,
        resolution_codes=("configuration-change", "fixed-by-engineering", "third-party"),
        notes=(
            "Session {session}: heartbeat interval 60 s on client side vs 30 s on ours; "
            "TestRequest timeouts.",
            "Cross-connect flapping at the data centre; raised with network team ({eng}).",
            "Sequence number reset needed after client's weekend maintenance.",
        ),
        summaries=(
            "Heartbeat interval mismatch on the FIX session; aligned to 30 s.",
            "Network flap at the co-location cross-connect, fixed by the carrier.",
            "Sequence numbers out of sync after maintenance; reset at start of day.",
        ),
        en=Conversation(
            subjects=(
                "FIX session disconnects every few minutes",
                "FIX logon rejected: MsgSeqNum too low",
                "Intermittent drops on FIX order session {session}",
            ),
            descriptions=(
                "Our FIX session {session} has been disconnecting every 5–10 minutes "
                "since the open. We see `Logout` after a TestRequest. Engine: {os}, "
                "{version}. Source IP {ip}.\n\nThis is blocking our order flow.\n\n{name}",
                "Logon is rejected with `MsgSeqNum too low, expecting 1841 but received "
                "1`. We did maintenance over the weekend. Please advise.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nWe see your heartbeat interval (HeartBtInt=60) differs "
                "from the agreed 30 seconds, so our side sends TestRequests that time "
                "out. Please set `HeartBtInt=30` and reconnect.\n\nRegards,\n{agent}",
                "Hi {name},\n\nWe can reset the sequence numbers for {session} at your "
                "convenience. Please confirm a time when the session is logged "
                "out.\n\nRegards,\n{agent}",
            ),
            followups=(
                "Changed heartbeat to 30. Stable for the last hour.",
                "Please reset at 08:45 HKT tomorrow.",
                "Still dropping, now roughly every 20 minutes.",
            ),
            final_replies=(
                "Hi {name},\n\nThe carrier replaced a faulty cross-connect at the data "
                "centre this afternoon and the session has been stable since. Closing "
                "this ticket.\n\nRegards,\n{agent}",
                "Hi {name},\n\nSequence numbers were reset as agreed and the session "
                "logged on normally.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "FIX 連線每隔數分鐘中斷",
                "FIX 登入被拒：MsgSeqNum 過低",
                "FIX 訂單連線 {session} 間歇中斷",
            ),
            descriptions=(
                "開市後我們的 FIX 連線 {session} 每 5 至 10 分鐘中斷一次，"
                "TestRequest 後收到 `Logout`。引擎：{os}，{version}，來源 IP {ip}。\n\n"
                "影響我們落盤，請盡快處理。\n\n{name}",
                "登入被拒，訊息為 `MsgSeqNum too low, expecting 1841 but received 1`。"
                "我們週末做了系統維護，請指示。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n您的心跳間隔（HeartBtInt=60）與協定的 30 秒不同，"
                "因此我方發出的 TestRequest 逾時。請設定 `HeartBtInt=30` 後重新連線。\n\n{agent}",
                "{name}您好，\n\n我們可為 {session} 重設序號，請確認連線登出的時間。\n\n{agent}",
            ),
            followups=(
                "心跳已改為 30 秒，過去一小時穩定。",
                "請於明天香港時間 08:45 重設。",
                "仍然中斷，現在大約每 20 分鐘一次。",
            ),
            final_replies=(
                "{name}您好，\n\n電訊商今日下午已更換數據中心內有問題的連接線，"
                "連線至今穩定，此個案現已完成。\n\n{agent}",
                "{name}您好，\n\n序號已按約定重設，連線已正常登入。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="market-data-delay",
        category="market-data",
        team="platform-t2",
        weight=6,
        priorities=(0.1, 0.4, 0.45, 0.05),
        tags=("market-data", "delay"),
        platform="desktop",
        escalation_rate=0.15,
        resolution_codes=("third-party", "known-issue", "fixed-by-engineering", "user-guidance"),
        notes=(
            "HKEX OMD feed handler lagged 20–40 s between 10:02 and 10:19; incident {eng}.",
            "Client is on delayed (15 min) data — no real-time subscription on the account.",
            "Quote server in the Singapore region restarted; latency back to normal.",
        ),
        summaries=(
            "Exchange feed delay during the incident window; recovered, no action for client.",
            "Account had delayed data only; client subscribed to real-time quotes.",
        ),
        en=Conversation(
            subjects=(
                "Quotes delayed on Hong Kong stocks",
                "Market data frozen for {symbol}",
                "Prices on the platform lag behind the exchange",
            ),
            descriptions=(
                "Prices for {symbol} on the platform are behind by 20–30 seconds compared "
                "with the exchange website. It started around 10:00. {os}, {version}.\n\n"
                "{name}",
                "The quote for {symbol} has not moved for several minutes although the "
                "market is open. Other stocks update. Is there a problem with the "
                "feed?\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThank you for reporting this. We are aware of a delay on "
                "the Hong Kong market data feed this morning and our engineers are "
                "working on it. We will update you as soon as it is resolved.\n\n"
                "Regards,\n{agent}",
                "Hi {name},\n\nYour account currently receives **delayed** quotes (15 "
                "minutes) for this market. Real-time data can be subscribed under "
                "*Settings › Market data*.\n\nRegards,\n{agent}",
            ),
            followups=(
                "Prices look normal again now.",
                "I thought real-time was included in my plan?",
            ),
            final_replies=(
                "Hi {name},\n\nThe feed delay was caused by an issue upstream and was "
                "resolved at 10:19. Quotes have been real-time since. Sorry for the "
                "inconvenience.\n\nRegards,\n{agent}",
                "Hi {name},\n\nThe real-time subscription is now active on your account; "
                "please restart the platform to pick it up.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("港股報價延遲", "{symbol} 報價停頓", "平台價格比交易所慢"),
            descriptions=(
                "平台上 {symbol} 的價格比交易所網站慢 20 至 30 秒，大約十點開始。{os}，{version}。"
                "\n\n{name}",
                "市場開市中，但 {symbol} 的報價已數分鐘沒有變動，其他股票正常。"
                "請問數據是否有問題？\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n多謝您的通知。今早港股市場數據出現延遲，"
                "技術團隊正在處理，解決後會立即通知您。\n\n{agent}",
                "{name}您好，\n\n您的戶口目前接收此市場的**延遲**報價（15 分鐘）。"
                "您可於「設定 › 市場數據」訂閱實時報價。\n\n{agent}",
            ),
            followups=("現在價格已回復正常。", "我以為我的計劃已包括實時報價？"),
            final_replies=(
                "{name}您好，\n\n報價延遲由上游數據問題引致，已於 10:19 解決，"
                "之後報價一直正常。不便之處，敬請原諒。\n\n{agent}",
                "{name}您好，\n\n實時報價訂閱已於您的戶口生效，請重新啟動平台。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="market-data-subscription",
        category="market-data",
        team="accounts",
        weight=3,
        priorities=(0.0, 0.15, 0.65, 0.2),
        tags=("market-data", "subscription", "billing"),
        platform="web",
        escalation_rate=0.02,
        resolution_codes=("configuration-change", "user-guidance"),
        notes=("Subscription paid but entitlement not pushed to quote server; re-synced.",),
        summaries=("Entitlement re-synced; real-time US quotes active.",),
        en=Conversation(
            subjects=(
                "US real-time quotes subscription not active",
                "Charged for market data but still see delayed prices",
            ),
            descriptions=(
                "I subscribed to US real-time quotes two days ago and was charged, but "
                "the platform still shows *Delayed* next to {symbol}.\n\n{name}",
                "Please cancel my market data subscription from next month and confirm "
                "there will be no further charges.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThank you, we are checking the subscription with our "
                "market data team and will come back to you today.\n\nRegards,\n{agent}",
            ),
            followups=("Any news? It still says Delayed.",),
            final_replies=(
                "Hi {name},\n\nThe subscription is now active — please sign out and in "
                "again. We have credited one month's fee as an apology.\n\n{agent}",
                "Hi {name},\n\nYour subscription will end on the last day of this month "
                "and there will be no further charges.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("美股實時報價訂閱未生效", "已扣市場數據費用但仍是延遲報價"),
            descriptions=(
                "兩日前訂閱了美股實時報價並已扣款，但平台上 {symbol} 旁邊仍顯示「延遲」。"
                "\n\n{name}",
                "請由下月起取消我的市場數據訂閱，並確認之後不會再收費。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n多謝您的查詢，我們正與市場數據團隊核實訂閱狀態，今日內會回覆您。"
                "\n\n{agent}",
            ),
            followups=("請問有消息嗎？仍然顯示延遲。",),
            final_replies=(
                "{name}您好，\n\n訂閱現已生效，請登出後重新登入。"
                "為表歉意，我們已退回一個月的費用。\n\n{agent}",
                "{name}您好，\n\n您的訂閱將於本月最後一日結束，之後不會再收費。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="deposit-not-credited",
        category="funding",
        team="accounts",
        weight=10,
        priorities=(0.04, 0.36, 0.55, 0.05),
        tags=("deposit", "funding"),
        platform="",
        escalation_rate=0.06,
        resolution_codes=("fixed-by-agent", "third-party", "user-guidance"),
        notes=(
            "Deposit of {amount} from {bank} arrived without the account number in the "
            "reference; matched manually.",
            "FPS batch from {bank} delayed, bank confirmed processing issue.",
            "Deposit came from a third-party account — returned per AML policy.",
        ),
        summaries=(
            "Deposit without reference matched manually and credited.",
            "Bank-side FPS delay; funds credited once received.",
            "Third-party deposit returned to source; client re-deposited from own account.",
        ),
        en=Conversation(
            subjects=(
                "Deposit not credited after 2 days",
                "FPS deposit of {amount} not showing",
                "Bank transfer not received in my account",
            ),
            descriptions=(
                "I transferred {amount} from my {bank} account by FPS on Monday but it "
                "is still not in my trading account. The bank says the transfer was "
                "successful. Reference attached.\n\n{name}",
                "Hello, my deposit of {amount} by bank transfer from {bank} has not "
                "arrived yet. Could you please check?\n\nThanks,\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThank you. To locate the payment please send the bank "
                "slip or screenshot showing the **date, amount and reference**. Deposits "
                "without your account number in the reference need to be matched "
                "manually.\n\nRegards,\n{agent}",
                "Hi {name},\n\nWe are checking with our bank and will update you within "
                "one business day.\n\nRegards,\n{agent}",
            ),
            followups=(
                "Bank slip attached. I think I forgot to put the account number.",
                "It has been three days now, please escalate.",
            ),
            final_replies=(
                "Hi {name},\n\nYour deposit of {amount} has been credited to your "
                "account today. For future deposits please include your account number "
                "in the reference so they are credited automatically.\n\nRegards,\n"
                "{agent}",
                "Hi {name},\n\n{bank} confirmed a delay in their FPS processing. The "
                "funds arrived this morning and are now in your account.\n\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("入金未到賬", "轉數快存款 {amount} 未入賬", "銀行轉賬仍未收到"),
            descriptions=(
                "我星期一用轉數快由 {bank} 戶口轉了 {amount}，到現在仍未到賬，"
                "銀行話已轉賬成功。附上轉賬紀錄。\n\n{name}",
                "你好，我由 {bank} 銀行轉賬 {amount} 至交易戶口，到現在仍未收到，麻煩查一查。"
                "\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n多謝您的查詢。請提供顯示**日期、金額及參考編號**的銀行收據或截圖，"
                "如轉賬參考沒有填寫戶口號碼，我們需要人手核對。\n\n{agent}",
                "{name}您好，\n\n我們正與銀行核實，會於一個工作天內回覆您。\n\n{agent}",
            ),
            followups=("已附上收據，我好似漏咗填戶口號碼。", "已經三日了，請盡快跟進。"),
            final_replies=(
                "{name}您好，\n\n您的存款 {amount} 已於今日存入戶口。"
                "日後存款請於參考欄填寫戶口號碼，"
                "以便系統自動入賬。\n\n{agent}",
                "{name}您好，\n\n{bank} 確認其轉數快處理出現延誤，款項已於今早收到並存入您的戶口。"
                "\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="withdrawal",
        category="funding",
        team="accounts",
        weight=6,
        priorities=(0.02, 0.28, 0.6, 0.1),
        tags=("withdrawal", "funding"),
        platform="",
        escalation_rate=0.04,
        resolution_codes=("fixed-by-agent", "user-guidance", "third-party"),
        notes=(
            "Withdrawal held: bank account name does not match account holder.",
            "Withdrawal submitted after the 11:00 cut-off; processed next business day.",
        ),
        summaries=(
            "Withdrawal was after the daily cut-off; paid the next business day.",
            "Beneficiary name mismatch; client added a verified bank account.",
        ),
        en=Conversation(
            subjects=(
                "Withdrawal request still pending",
                "When will my withdrawal of {amount} arrive?",
                "Withdrawal rejected – bank account not verified",
            ),
            descriptions=(
                "I requested a withdrawal of {amount} to my {bank} account two days ago "
                "and it still shows *Pending*. Please advise.\n\n{name}",
                'My withdrawal was rejected with "bank account not verified". I have '
                "used this account before.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nWithdrawals submitted after **11:00 HKT** are processed "
                "on the next business day. Yours has been approved and should reach "
                "{bank} today.\n\nRegards,\n{agent}",
                "Hi {name},\n\nThe name on the bank account must match the name on your "
                "trading account. Please upload a recent bank statement under *Funding › "
                "Bank accounts* so we can verify it.\n\nRegards,\n{agent}",
            ),
            followups=("Uploaded the statement just now.", "Received, thank you."),
            final_replies=(
                "Hi {name},\n\nThe bank account is verified and the withdrawal has been "
                "paid. It usually arrives within one business day.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "提款申請仍在處理中",
                "請問 {amount} 提款幾時到賬？",
                "提款被拒：銀行戶口未核實",
            ),
            descriptions=(
                "兩日前申請提款 {amount} 至 {bank} 戶口，至今仍顯示「處理中」，請跟進。\n\n{name}",
                "提款被拒，顯示「銀行戶口未核實」，但我以前用過這個戶口。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n於香港時間 **11:00** 後提交的提款會於下一個工作天處理。"
                "您的申請已獲批核，今日應可存入 {bank}。\n\n{agent}",
                "{name}您好，\n\n銀行戶口名稱須與交易戶口持有人相同。"
                "請於「存取款 › 銀行戶口」上載近期銀行月結單以作核實。\n\n{agent}",
            ),
            followups=("剛剛已上載月結單。", "已收到，謝謝。"),
            final_replies=(
                "{name}您好，\n\n銀行戶口已核實，提款已發放，一般於一個工作天內到賬。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="statements",
        category="statements-tax",
        team="accounts",
        weight=6,
        priorities=(0.0, 0.08, 0.62, 0.3),
        tags=("statements",),
        platform="web",
        escalation_rate=0.02,
        resolution_codes=("user-guidance", "fixed-by-agent", "known-issue"),
        notes=(
            "Statement PDF generation failed for {month}; regenerated from the back office.",
            "Client needs the annual dividend summary, not the monthly statement.",
        ),
        summaries=(
            "Regenerated the missing monthly statement and sent it by secure message.",
            "Showed client where to find statements and tax documents in the portal.",
        ),
        en=Conversation(
            subjects=(
                "Cannot download monthly statement for {month}",
                "Need a copy of my {month} statement",
                "Request for W-8BEN renewal / tax form",
                "Dividend missing on statement",
            ),
            descriptions=(
                "When I click *Download* for the {month} statement I get an empty PDF. "
                "Earlier months are fine.\n\n{name}",
                "Could you send me the statement for {month}? I need it for my tax "
                "return. Also, where can I renew my W-8BEN form?\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nStatements are under *Account › Documents › Statements*. "
                "Tax forms, including W-8BEN, are under *Account › Tax*. The form is "
                "valid for three calendar years after signing.\n\nRegards,\n{agent}",
                "Hi {name},\n\nThank you — we can reproduce the empty PDF for {month} "
                "and are regenerating it.\n\nRegards,\n{agent}",
            ),
            followups=("Found it, thanks. The W-8BEN link asks me to log in again.",),
            final_replies=(
                "Hi {name},\n\nThe {month} statement has been regenerated; you can "
                "download it now from *Documents*.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=(
                "無法下載 {month} 月結單",
                "索取 {month} 結單副本",
                "更新 W-8BEN 稅務表格",
                "結單上沒有顯示股息",
            ),
            descriptions=(
                "按下載 {month} 月結單時得到一個空白 PDF，之前月份的結單正常。\n\n{name}",
                "請提供 {month} 的結單，報稅需要用到。另外，請問在哪裡更新 W-8BEN 表格？\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n結單位於「戶口 › 文件 › 結單」，"
                "W-8BEN 等稅務表格位於「戶口 › 稅務」。"
                "表格簽署後有效期為三個曆年。\n\n{agent}",
                "{name}您好，\n\n我們已確認 {month} 結單為空白檔案，現正重新產生。\n\n{agent}",
            ),
            followups=("找到了，謝謝。但 W-8BEN 連結要求我再次登入。",),
            final_replies=(
                "{name}您好，\n\n{month} 的結單已重新產生，您現可於「文件」下載。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="account-opening",
        category="account-setup",
        team="accounts",
        weight=6,
        priorities=(0.0, 0.15, 0.65, 0.2),
        tags=("onboarding", "kyc"),
        platform="",
        escalation_rate=0.02,
        resolution_codes=("user-guidance", "fixed-by-agent", "no-response"),
        notes=(
            "Address proof older than 3 months; asked for a recent utility bill.",
            "Passport photo page cropped; MRZ not readable.",
            "Application complete; passed to compliance for final approval.",
        ),
        summaries=(
            "Client re-submitted a valid proof of address; account opened.",
            "Application approved after clearer ID copy.",
            "No reply from the applicant after two reminders.",
        ),
        en=Conversation(
            subjects=(
                "Account opening documents rejected",
                "Status of my account application",
                "Which address proof do you accept?",
            ),
            descriptions=(
                "My account application was returned saying the address proof is not "
                "accepted. I uploaded my electricity bill. What else can I use?\n\n{name}",
                "I applied for an account a week ago and haven't heard anything. Could "
                "you tell me the status?\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nProof of address must be **dated within the last three "
                "months** and show your full name and residential address. A utility "
                "bill, bank statement or government letter is fine.\n\nRegards,\n{agent}",
                "Hi {name},\n\nYour application is complete except for a clear copy of "
                "your passport's photo page — the uploaded image is cropped. Please "
                "upload it again in the application.\n\nRegards,\n{agent}",
            ),
            followups=("Uploaded a new bank statement.", "I have uploaded the passport again."),
            final_replies=(
                "Hi {name},\n\nGood news — your account has been approved. You will "
                "receive your login details by email shortly.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("開戶文件被拒", "查詢開戶申請進度", "接受哪些住址證明？"),
            descriptions=(
                "我的開戶申請被退回，話住址證明不獲接納。我上載的是電費單，"
                "請問還可以用甚麼？\n\n{name}",
                "我一星期前申請開戶，至今未有消息，請問進度如何？\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n住址證明須為**最近三個月內**發出，並顯示您的全名及住址。"
                "水電煤賬單、銀行月結單或政府信件均可。\n\n{agent}",
                "{name}您好，\n\n您的申請只欠一份清晰的護照相片頁副本，上載的圖片被裁切了，"
                "請於申請內重新上載。\n\n{agent}",
            ),
            followups=("已上載新的銀行月結單。", "已重新上載護照。"),
            final_replies=(
                "{name}您好，\n\n您的戶口已獲批核，登入資料稍後會以電郵發送給您。\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="push-notifications",
        category="mobile",
        team="tech-hk",
        weight=5,
        priorities=(0.0, 0.1, 0.6, 0.3),
        tags=("mobile", "notifications"),
        platform="mobile",
        escalation_rate=0.05,
        resolution_codes=("user-guidance", "known-issue", "fixed-by-engineering"),
        notes=(
            "Push token not refreshed after iOS restore from backup; re-login fixes it.",
            "Android battery optimisation kills the background service on this model.",
        ),
        summaries=(
            "Stale push token after restoring the phone; re-login re-registered the device.",
            "Battery optimisation blocked notifications; client whitelisted the app.",
        ),
        en=Conversation(
            subjects=(
                "No push notifications for order fills",
                "Price alerts not arriving on my phone",
            ),
            descriptions=(
                "Since updating the app to {release} I no longer get notifications when "
                "my orders are filled. Notifications are enabled in the phone settings. "
                "Device: {os}.\n\n{name}",
                "My price alert for {symbol} triggered (I can see it in the app) but I "
                "did not get any notification.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nPlease sign out of the app and sign in again — this "
                "registers your device for notifications again. On Android, also set "
                "*Battery › Unrestricted* for the app.\n\nRegards,\n{agent}",
            ),
            followups=("Did that, I got a notification for my last fill. Thanks!",),
            final_replies=(
                "Hi {name},\n\nThanks for confirming. Notifications should keep working "
                "now.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("收不到成交推送通知", "手機收不到到價提示"),
            descriptions=(
                "將 app 更新至 {release} 後，訂單成交時不再收到通知，手機設定已開啟通知。裝置："
                "{os}。\n\n{name}",
                "{symbol} 的到價提示已觸發（app 內看到），但完全沒有推送通知。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n請登出 app 後重新登入，以重新登記裝置接收通知。"
                "如使用 Android，請將 app 的電池設定改為「不受限制」。\n\n{agent}",
            ),
            followups=("已照做，剛剛成交有通知了，謝謝！",),
            final_replies=("{name}您好，\n\n多謝確認，通知應可正常運作。\n\n{agent}",),
        ),
    ),
    Scenario(
        key="mobile-biometric",
        category="mobile",
        team="tech-hk",
        weight=4,
        priorities=(0.0, 0.15, 0.65, 0.2),
        tags=("mobile", "login", "biometrics"),
        platform="mobile",
        escalation_rate=0.05,
        resolution_codes=("user-guidance", "known-issue", "fixed-by-engineering"),
        notes=("Known issue in 8.3.0 on iOS 18.1 — fixed in 8.3.1 ({eng}).",),
        summaries=(
            "Face ID login broke after the iOS update; fixed in app 8.3.1.",
            "Biometric login resets when a new fingerprint is added; re-enabled in settings.",
        ),
        en=Conversation(
            subjects=("Face ID login stopped working", "Fingerprint login disabled itself"),
            descriptions=(
                "Since the latest update ({version}, {os}) the app asks for my password "
                "every time; Face ID does nothing.\n\n{name}",
                "The fingerprint login option turned itself off and I can't enable it "
                "again.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThis is a known issue with {version} on the latest iOS. "
                "A fix is in version 8.3.1, which is rolling out in the App Store "
                "now.\n\nRegards,\n{agent}",
                "Hi {name},\n\nFor security, biometric login is switched off when a new "
                "fingerprint is added to the phone. You can switch it on again under "
                "*Settings › Security*.\n\nRegards,\n{agent}",
            ),
            followups=("Updated to 8.3.1, works again.",),
            final_replies=("Hi {name},\n\nThanks for letting us know. Closing this.\n\n{agent}",),
        ),
        zh=Conversation(
            subjects=("Face ID 登入失效", "指紋登入自動停用"),
            descriptions=(
                "更新至最新版本（{version}，{os}）後，每次都要輸入密碼，Face ID 沒有反應。"
                "\n\n{name}",
                "指紋登入選項自動關閉了，無法重新開啟。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n此為 {version} 在最新 iOS 上的已知問題，"
                "已於 8.3.1 版本修正，現正於 App Store 推出。\n\n{agent}",
                "{name}您好，\n\n為保安理由，手機新增指紋後會自動停用生物認證登入，"
                "您可於「設定 › 保安」重新開啟。\n\n{agent}",
            ),
            followups=("已更新至 8.3.1，回復正常。",),
            final_replies=("{name}您好，\n\n多謝通知，此個案現已完成。\n\n{agent}",),
        ),
    ),
    Scenario(
        key="web-charts",
        category="web",
        team="tech-hk",
        weight=4,
        priorities=(0.0, 0.1, 0.65, 0.25),
        tags=("charts", "browser"),
        platform="web",
        escalation_rate=0.05,
        resolution_codes=("user-guidance", "fixed-by-agent", "known-issue"),
        notes=("Ad-blocker blocks the charting CDN; whitelisting fixes it.",),
        summaries=("Browser extension blocked chart scripts; client whitelisted the portal.",),
        en=Conversation(
            subjects=("Charts not loading in the web portal", "Blank chart for {symbol}"),
            descriptions=(
                "The chart area is blank for every stock. Quotes and orders work. "
                "Browser: {os}.\n\n{name}",
                "Chart for {symbol} is empty since yesterday, other pages are fine.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThis is usually caused by an ad-blocker or privacy "
                "extension. Please allow the portal in the extension or try a private "
                "window with extensions disabled.\n\nRegards,\n{agent}",
            ),
            followups=("It was the ad blocker. Working now.",),
            final_replies=("Hi {name},\n\nGreat, thanks for confirming.\n\n{agent}",),
        ),
        zh=Conversation(
            subjects=("網頁版圖表無法顯示", "{symbol} 圖表空白"),
            descriptions=(
                "所有股票的圖表都是空白，報價及落盤正常。瀏覽器：{os}。\n\n{name}",
                "{symbol} 的圖表由昨日開始空白，其他頁面正常。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n此情況通常由廣告攔截或私隱擴充功能引致，"
                "請將本平台加入允許清單，或在停用擴充功能的無痕視窗中試試。\n\n{agent}",
            ),
            followups=("原來是廣告攔截程式，現在正常了。",),
            final_replies=("{name}您好，\n\n多謝確認。\n\n{agent}",),
        ),
    ),
    Scenario(
        key="network-proxy",
        category="connectivity",
        team="tech-hk",
        weight=4,
        priorities=(0.03, 0.27, 0.6, 0.1),
        tags=("connectivity", "proxy"),
        platform="desktop",
        escalation_rate=0.1,
        resolution_codes=("configuration-change", "user-guidance"),
        notes=("Corporate proxy terminates WebSocket after 60 s idle; enable proxy keep-alive.",),
        summaries=(
            "Office proxy dropped the streaming connection; client's IT allowed our hosts.",
        ),
        en=Conversation(
            subjects=(
                "Platform keeps disconnecting on office network",
                '"Connection lost" banner every few minutes',
            ),
            descriptions=(
                "At the office the desktop platform shows *Connection lost – "
                "reconnecting* every few minutes. At home it is fine. {os}, "
                "{version}.\n\n{name}",
                "Streaming quotes stop and the platform reconnects all the time. We are "
                "behind a corporate proxy.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nThe platform needs a persistent connection on port 443 "
                "to our streaming hosts. Please ask your IT team to allow "
                "`*.stream.supportdesk.example` and disable SSL inspection for it. A "
                "connectivity checklist is in our help centre.\n\nRegards,\n{agent}",
            ),
            followups=("Our IT made the change this morning, it's stable now.",),
            final_replies=("Hi {name},\n\nThanks for the update, closing this.\n\n{agent}",),
        ),
        zh=Conversation(
            subjects=("公司網絡下平台經常斷線", "每隔數分鐘出現「連線中斷」"),
            descriptions=(
                "在公司時桌面平台每隔數分鐘顯示「連線中斷，重新連接中」，在家則正常。{os}，"
                "{version}。\n\n{name}",
                "串流報價經常停止，平台不停重新連線。我們使用公司代理伺服器。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n平台需要經 443 端口與串流伺服器保持連線。"
                "請貴公司 IT 部門允許 `*.stream.supportdesk.example`，並停用相關 SSL 檢查。"
                "\n\n{agent}",
            ),
            followups=("IT 今早已更改設定，現在穩定了。",),
            final_replies=("{name}您好，\n\n多謝更新，此個案現已完成。\n\n{agent}",),
        ),
    ),
    Scenario(
        key="desktop-layout",
        category="desktop",
        team="tech-hk",
        weight=3,
        priorities=(0.0, 0.05, 0.6, 0.35),
        tags=("desktop", "workspace"),
        platform="desktop",
        escalation_rate=0.03,
        resolution_codes=("user-guidance", "fixed-by-agent"),
        notes=("Layout sync disabled in client's settings; cloud copy was from March.",),
        summaries=("Enabled layout sync and restored the workspace from the server copy.",),
        en=Conversation(
            subjects=("Workspace layout lost after restart", "Watchlists disappeared"),
            descriptions=(
                "After restarting my PC the platform opened with the default layout and "
                "my watchlists are gone. {os}, {version}.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nYour watchlists are stored on our servers and will "
                "reappear after *File › Sync now*. For layouts, please enable *Sync "
                "layouts* under *Settings › General*.\n\nRegards,\n{agent}",
            ),
            followups=("Watchlists are back. Layout is still default.",),
            final_replies=(
                "Hi {name},\n\nWe restored your last saved layout from the server; it "
                "will load on next start.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("重啟後版面設定消失", "自選股清單不見了"),
            descriptions=(
                "重新開機後平台以預設版面開啟，我的自選股清單亦不見了。{os}，{version}。\n\n{name}",
            ),
            first_replies=(
                "{name}您好，\n\n自選股清單儲存在伺服器，按「檔案 › 立即同步」即可還原。"
                "版面方面，請於「設定 › 一般」開啟「同步版面」。\n\n{agent}",
            ),
            followups=("自選股回來了，但版面仍是預設。",),
            final_replies=(
                "{name}您好，\n\n我們已從伺服器還原您最後儲存的版面，下次啟動時會自動載入。"
                "\n\n{agent}",
            ),
        ),
    ),
    Scenario(
        key="contact-details",
        category="other",
        team="accounts",
        weight=3,
        priorities=(0.0, 0.05, 0.55, 0.4),
        tags=("profile",),
        platform="",
        escalation_rate=0.01,
        resolution_codes=("fixed-by-agent", "user-guidance", "duplicate"),
        notes=("Identity verified by call-back; change applied in the back office.",),
        summaries=("Updated registered contact details after identity verification.",),
        en=Conversation(
            subjects=(
                "Change of registered email address",
                "Update my mobile number",
                "How do I change my correspondence address?",
            ),
            descriptions=(
                "I would like to change my registered email address and mobile number. "
                "I no longer have access to the old email.\n\n{name}",
            ),
            first_replies=(
                "Hi {name},\n\nFor security, changes to contact details need identity "
                "verification. Please complete the *Change of particulars* form under "
                "*Account › Profile* and upload a copy of your ID.\n\nRegards,\n{agent}",
            ),
            followups=("Form submitted.",),
            final_replies=(
                "Hi {name},\n\nYour contact details have been updated. A confirmation "
                "has been sent to both the old and the new address.\n\nRegards,\n{agent}",
            ),
        ),
        zh=Conversation(
            subjects=("更改登記電郵地址", "更新手提電話號碼", "如何更改通訊地址？"),
            descriptions=("我想更改登記的電郵地址及手提電話號碼，舊電郵已無法使用。\n\n{name}",),
            first_replies=(
                "{name}您好，\n\n為保障戶口安全，更改聯絡資料需核實身份。"
                "請於「戶口 › 個人資料」填妥「更改資料」表格並上載身份證明文件副本。\n\n{agent}",
            ),
            followups=("表格已提交。",),
            final_replies=(
                "{name}您好，\n\n您的聯絡資料已更新，確認通知已發送至新舊地址。\n\n{agent}",
            ),
        ),
    ),
)
SCENARIOS_BY_KEY: dict[str, Scenario] = {scenario.key: scenario for scenario in SCENARIOS}

# Days (counted back from today) with an incident that produced a burst of one kind of ticket.
# (days ago, scenario key, extra volume factor for that day)
SPIKES: tuple[tuple[int, str, float], ...] = (
    (38, "desktop-crash", 2.2),
    (20, "market-data-delay", 1.8),
    (8, "deposit-not-credited", 1.6),
)

# --- Generic conversation pieces ------------------------------------------------------------

GENERIC_CLIENT_FOLLOWUPS: dict[str, tuple[str, ...]] = {
    "en": (
        "Any update on this please?",
        "Thanks for the quick reply. I will try this and let you know.",
        "Sorry, I was travelling. Is this still open?",
        "Could someone call me? It's easier to explain by phone.",
    ),
    "zh-hant": (
        "請問有沒有更新？",
        "多謝回覆，我試試再通知你。",
        "抱歉，我之前外遊，這個個案仍在處理嗎？",
        "可否致電給我？電話中較容易解釋。",
    ),
}
GENERIC_CLIENT_THANKS: dict[str, tuple[str, ...]] = {
    "en": (
        "Thank you, all working now.",
        "Thanks for your help!",
        "Perfect, thank you very much.",
    ),
    "zh-hant": ("謝謝，現在一切正常。", "多謝幫忙！", "非常感謝。"),
}
GENERIC_HOLDING_REPLIES: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi {name},\n\nThank you for the details. We are still looking into this and "
        "will update you as soon as we have news.\n\nRegards,\n{agent}",
        "Hi {name},\n\nWe have passed this to our specialist team and will keep you "
        "posted.\n\nRegards,\n{agent}",
    ),
    "zh-hant": (
        "{name}您好，\n\n多謝您提供的資料，我們仍在跟進，有進展會盡快通知您。\n\n{agent}",
        "{name}您好，\n\n個案已轉交專責團隊處理，我們會繼續跟進。\n\n{agent}",
    ),
}
GENERIC_NOTES: tuple[str, ...] = (
    "Checked account flags: no restrictions, KYC current.",
    "Client tier: {tier}. Checked recent tickets from this client for context.",
    "Searched for similar tickets from the last 7 days — none linked.",
    "Called client, no answer; left voicemail and sent this email.",
    "Reproduced on test account with the same version.",
    "已致電客戶，確認問題仍然存在。",
    "客戶要求以中文回覆。",
)
ESCALATION_NOTES: tuple[str, ...] = (
    "Escalating to Platform Tier 2: needs log analysis beyond first line. Ref {eng}.",
    "Raised {eng} with engineering; client informed we will update within 24 h.",
    "Escalated to supervisor: client is institutional and trading is blocked.",
)
ON_HOLD_NOTES: tuple[str, ...] = (
    "On hold until the next platform release ({eng}).",
    "Waiting for the bank's investigation report; follow up in 3 business days.",
)
PENDING_INTERNAL_NOTES: tuple[str, ...] = (
    "Waiting for engineering on {eng}.",
    "Asked settlements team to check the bank statement for this deposit.",
    "Waiting for market data vendor to confirm entitlement change.",
)
