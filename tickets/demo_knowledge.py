"""Demo knowledge base and macros for ``manage.py seed_demo``.

``seed_knowledge_and_macros`` writes six knowledge-base categories, about 25 brokerage-support
articles (English and Traditional Chinese, a few in one language only, several with two or three
versions, one unpublished draft) and about 15 macros (team-shared and personal, with
placeholders; some set a status, a priority or tags). When the demo tickets already exist it
also links some resolved tickets to the article that resolved them, with the matching
``article_linked`` audit event, so call it after the tickets are created.

Rows are written directly (not through the services) in a few bulk queries; the function runs
inside the seeder's transaction and draws every choice from the seeder's ``random.Random``.
"""

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from teams.models import Team, User
from tickets.models import (
    Article,
    ArticleVersion,
    KnowledgeCategory,
    Macro,
    Ticket,
    TicketArticle,
    TicketEvent,
)

# (slug, English name, Traditional Chinese name)
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("access", "Login and security", "登入及保安"),
    ("platforms", "Trading platforms", "交易平台"),
    ("api-connectivity", "API and connectivity", "API 及連線"),
    ("market-data", "Market data", "市場數據"),
    ("funding", "Deposits and withdrawals", "存款及提款"),
    ("statements-accounts", "Statements, tax and account details", "結單、稅務及帳戶資料"),
)


@dataclass(frozen=True)
class Text:
    """One state of an article: titles and Markdown texts ("" where a language is missing)."""

    title_en: str = ""
    body_en: str = ""
    title_zh_hant: str = ""
    body_zh_hant: str = ""


@dataclass(frozen=True)
class DemoArticle:
    """An article: its category, its states oldest first (the last is current), the ticket
    tags whose resolved tickets it helped with, and whether it is published."""

    category: str
    versions: tuple[Text, ...]
    tags: tuple[str, ...] = ()
    published: bool = True


ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        "access",
        (
            Text(
                "Client cannot log in to the web portal",
                "1. Check the login service for a lockout.\n2. Unlock the account.",
                "客戶無法登入網上交易平台",
                "1. 檢查登入紀錄是否已鎖戶口。\n2. 為客戶解鎖。",
            ),
            Text(
                "Client cannot log in to the web portal",
                "1. Check the login service for a lockout (five failed attempts lock the "
                "account for 30 minutes).\n2. Verify the client's identity before unlocking.\n"
                "3. Ask the client to clear the browser cache or use a private window.",
                "客戶無法登入網上交易平台",
                "1. 檢查登入紀錄：連續五次輸入錯誤密碼會鎖戶口 30 分鐘。\n"
                "2. 解鎖前先核實客戶身份。\n3. 請客戶清除瀏覽器快取或使用無痕模式。",
            ),
            Text(
                "Client cannot log in to the web portal",
                "## Checks\n\n1. Look up the client's last attempts in the login service: five "
                "failed attempts lock the account for 30 minutes.\n2. Verify identity (date of "
                "birth + last deposit amount) **before** unlocking.\n3. Ask the client to clear "
                "the browser cache or use a private window; password-manager autofill often "
                "submits an old password.\n4. Remind them the portal uses the **login "
                "password**, not the trading password.\n\n## Resolution code\n\n*User guidance "
                "given* or *Fixed by agent*.",
                "客戶無法登入網上交易平台",
                "## 檢查步驟\n\n1. 於登入系統查閱客戶最近的登入紀錄：連續五次輸入錯誤密碼會鎖戶口 "
                "30 分鐘。\n2. 解鎖**前**先核實身份（出生日期及最近一次存款金額）。\n"
                "3. 請客戶清除瀏覽器快取或使用無痕模式；密碼管理工具自動填入的舊密碼是常見原因。\n"
                "4. 提醒客戶網上平台使用**登入密碼**，並非交易密碼。\n\n"
                "## 結案代碼\n\n「已提供操作指引」或「客服已處理」。",
            ),
        ),
        tags=("login",),
    ),
    DemoArticle(
        "access",
        (
            Text(
                "Cannot log in to the trading platform",
                "When the desktop platform says *invalid credentials* although the password "
                "is right:\n\n1. Check the account is not locked.\n2. Check the platform "
                "version: versions before 6.2 cannot sign in since the certificate change.\n"
                "3. Ask the client to update and sign in again.",
                "無法登入交易平台",
                "桌面平台顯示「登入資料無效」但密碼正確時：\n\n1. 檢查戶口有否被鎖。\n"
                "2. 檢查平台版本：6.2 之前的版本在更換證書後無法登入。\n3. 請客戶更新後再登入。",
            ),
        ),
        tags=("login", "password"),
    ),
    DemoArticle(
        "access",
        (
            Text(
                "Unlocking an account after repeated failed logins",
                "Unlock in the back office after verifying identity.",
                "多次登入失敗後為戶口解鎖",
                "核實身份後於後台解鎖。",
            ),
            Text(
                "Unlocking an account after repeated failed logins",
                "1. Verify identity by call-back to the registered phone number.\n2. Unlock in "
                "the back office (*Accounts → Security → Unlock*).\n3. Send a password-reset "
                "link; it is valid for **30 minutes**.\n4. Note the verification in an internal "
                "note.",
                "多次登入失敗後為戶口解鎖",
                "1. 致電客戶登記電話號碼核實身份。\n2. 於後台解鎖（「戶口 → 保安 → 解鎖」）。\n"
                "3. 發送重設密碼連結，連結 **30 分鐘**內有效。\n4. 於內部備註記錄核實過程。",
            ),
        ),
        tags=("password",),
    ),
    DemoArticle(
        "access",
        (
            Text(
                "Resetting two-factor authentication (SOP-SEC-04)",
                "A 2FA reset needs a call-back and a supervisor's approval.",
                "重設雙重認證（SOP-SEC-04）",
                "重設雙重認證須致電核實及主管批核。",
            ),
            Text(
                "Resetting two-factor authentication (SOP-SEC-04)",
                "1. Verify identity by call-back to the registered number (never a number "
                "given in the ticket).\n2. Ask a supervisor to approve as second approver.\n"
                "3. Reset 2FA in the back office; the client enrols again at next login.\n"
                "4. Record both names in an internal note.",
                "重設雙重認證（SOP-SEC-04）",
                "1. 致電登記電話號碼核實身份（切勿使用個案中提供的號碼）。\n"
                "2. 請主管作為第二批核人。\n3. 於後台重設雙重認證，客戶下次登入時重新登記。\n"
                "4. 於內部備註記錄兩位批核人姓名。",
            ),
        ),
        tags=("2fa", "security"),
    ),
    DemoArticle(
        "access",
        (
            Text(
                "2FA codes rejected: phone clock out of sync",
                "Authenticator codes depend on the phone's clock. If codes are always "
                "rejected, ask the client to turn on *automatic date and time* and try again.",
                "雙重認證碼無效：手機時間不同步",
                "認證碼依賴手機時間。若認證碼一直無效，請客戶開啟「自動設定日期及時間」後再試。",
            ),
        ),
        tags=("2fa",),
    ),
    DemoArticle(
        "access",
        (
            Text(
                "Login password and trading password: the difference",
                "The **login password** opens the portal and the apps. The **trading "
                "password** confirms orders and withdrawals. Clients often mix them up after a "
                "reset of one of them.",
                "登入密碼與交易密碼的分別",
                "**登入密碼**用於登入網上平台及應用程式；**交易密碼**用於確認落盤及提款。"
                "客戶重設其中一個後，經常會混淆兩者。",
            ),
        ),
        tags=("password",),
    ),
    DemoArticle(
        "access",
        (
            Text(
                "Biometric login stopped working after a phone update",
                "After an OS update the phone may invalidate stored biometric keys. Ask the "
                "client to sign in with the password once, then enable Face ID / fingerprint "
                "again under *Settings → Security*.",
                "更新手機後無法使用生物認證登入",
                "手機系統更新後可能令已儲存的生物認證失效。請客戶先以密碼登入一次，再於"
                "「設定 → 保安」重新啟用 Face ID／指紋登入。",
            ),
        ),
        tags=("biometric",),
    ),
    DemoArticle(
        "platforms",
        (
            Text(
                "Desktop platform crashes on start-up after an update",
                "Ask the client to reinstall the platform.",
                "桌面平台更新後開啟時當機",
                "請客戶重新安裝平台。",
            ),
            Text(
                "Desktop platform crashes on start-up after an update",
                "1. Ask for the crash log: `%APPDATA%\\TradeDesk\\logs\\crash-*.log`.\n"
                "2. Rename the `workspace` folder to reset the layout (a corrupt layout is the "
                "most common cause).\n3. If it still crashes, uninstall, delete the program "
                "folder and install the latest release.\n4. Escalate with the log if a clean "
                "install crashes.",
                "桌面平台更新後開啟時當機",
                "1. 索取當機紀錄：`%APPDATA%\\TradeDesk\\logs\\crash-*.log`。\n"
                "2. 將 `workspace` 資料夾改名以重設版面（版面檔案損壞是最常見原因）。\n"
                "3. 仍然當機的話，解除安裝、刪除程式資料夾後安裝最新版本。\n"
                "4. 全新安裝後仍當機，請連同紀錄檔轉交二線支援。",
            ),
        ),
        tags=("crash", "desktop-update"),
    ),
    DemoArticle(
        "platforms",
        (
            Text(
                "Resetting the desktop workspace layout",
                "*File → Workspace → Reset to default* restores the default windows. Saved "
                "layouts are kept in the `workspace` folder and can be exported first.",
                "重設桌面平台版面配置",
                "「檔案 → 工作區 → 重設為預設」可還原預設視窗。已儲存的版面位於 `workspace` "
                "資料夾，可先匯出備份。",
            ),
        ),
        tags=("layout",),
    ),
    DemoArticle(
        "platforms",
        (
            Text(
                "Why an order was rejected",
                "Check the rejection code in the order history.",
                "落盤被拒的原因",
                "於落盤紀錄查看拒絕代碼。",
            ),
            Text(
                "Why an order was rejected: common rejection reasons",
                "| Code | Meaning |\n|---|---|\n| R01 | Insufficient buying power |\n| R07 | "
                "Price outside the exchange's price band |\n| R12 | Market closed |\n\nCheck "
                "the code in the order history and explain it to the client.",
                "落盤被拒的常見原因",
                "| 代碼 | 意思 |\n|---|---|\n| R01 | 購買力不足 |\n| R07 | 價格超出交易所價格限制 |"
                "\n| R12 | 市場已收市 |\n\n於落盤紀錄查看代碼並向客戶解釋。",
            ),
            Text(
                "Why an order was rejected: common rejection reasons",
                "| Code | Meaning |\n|---|---|\n| R01 | Insufficient buying power |\n| R07 | "
                "Price outside the exchange's price band |\n| R12 | Market closed |\n| R19 | "
                "Lot size: HKEX orders must be whole board lots |\n\nCheck the code in the "
                "order history and explain it to the client. Odd lots go through the odd-lot "
                "market.",
                "落盤被拒的常見原因",
                "| 代碼 | 意思 |\n|---|---|\n| R01 | 購買力不足 |\n| R07 | 價格超出交易所價格限制 |"
                "\n| R12 | 市場已收市 |\n| R19 | 港股須以完整每手買賣 |\n\n於落盤紀錄查看代碼並向"
                "客戶解釋。碎股須於碎股市場買賣。",
            ),
        ),
        tags=("orders", "rejection"),
    ),
    DemoArticle(
        "platforms",
        (
            Text(
                "Charts not loading in the web portal",
                "Charts need WebGL. Ask the client to enable hardware acceleration in the "
                "browser, or to try another browser; ad blockers can also block the chart "
                "data feed.",
                "網上平台圖表無法載入",
                "圖表需要 WebGL。請客戶於瀏覽器啟用硬件加速或改用其他瀏覽器；廣告攔截器亦可能"
                "阻擋圖表數據。",
            ),
        ),
        tags=("charts",),
    ),
    DemoArticle(
        "platforms",
        (
            Text(
                "Push notifications not arriving on the mobile app",
                "1. Check notifications are allowed for the app in the phone's settings.\n"
                "2. Battery savers stop background delivery on many Android phones.\n"
                "3. Sign out and in again to register the device anew.",
                "流動應用程式收不到推送通知",
                "1. 檢查手機設定是否允許應用程式發出通知。\n2. 不少 Android 手機的省電模式會"
                "停止背景通知。\n3. 登出後再登入，重新登記裝置。",
            ),
        ),
        tags=("notifications",),
    ),
    DemoArticle(
        "api-connectivity",
        (
            Text(
                "API error 429: rate limits and back-off",
                "The REST API allows 20 requests per second per key.",
            ),
            Text(
                "API error 429: rate limits and back-off",
                "The REST API allows **20 requests per second** and **600 per minute** per "
                "key. A `429 Too Many Requests` answer carries `Retry-After`; clients must "
                "wait that long and back off exponentially. Institutional clients can ask for "
                "a higher limit (supervisor approval).",
            ),
        ),
        tags=("rate-limit",),
    ),
    DemoArticle(
        "api-connectivity",
        (
            Text(
                "API error 401: rotating and re-issuing API keys",
                "A `401 Unauthorized` usually means an expired or revoked key. Keys expire "
                "after 12 months. The client creates a new key under *Settings → API keys*; "
                "the old one stops working at once, so they must update their scripts first.",
            ),
        ),
        tags=("api-key",),
    ),
    DemoArticle(
        "api-connectivity",
        (
            Text(
                "FIX session disconnects",
                "Check the heartbeat interval.",
            ),
            Text(
                "FIX session disconnects: heartbeat and sequence-reset checklist",
                "1. Heartbeat interval (tag 108) must be 30 s.\n2. After a disconnect, "
                "compare sequence numbers; reset with `ResetSeqNumFlag=Y` (141) only at the "
                "start of the day.\n3. Check the source IP is on the allow-list.\n4. Collect "
                "the session logs before escalating to engineering.",
            ),
        ),
        tags=("fix",),
    ),
    DemoArticle(
        "api-connectivity",
        (
            Text(
                "Connecting through a corporate proxy or firewall",
                "The platforms need outbound HTTPS (443) to `*.tradedesk.example` and TCP "
                "9443 for streaming quotes. TLS inspection by the proxy breaks the quote "
                "stream: ask the client's IT team for an exception.",
                "經公司代理伺服器或防火牆連線",
                "平台需要對外 HTTPS（443）連線至 `*.tradedesk.example`，以及 TCP 9443 接收即時"
                "報價。代理伺服器的 TLS 檢查會中斷報價串流，請客戶的 IT 部門設定例外。",
            ),
        ),
        tags=("proxy", "connectivity"),
    ),
    DemoArticle(
        "market-data",
        (
            Text(
                "Delayed quotes: checking the market-data subscription",
                "Quotes are delayed 15 minutes without a real-time subscription. Check the "
                "client's subscriptions in the back office; a subscription starts at the next "
                "login after payment.",
                "報價延遲：檢查市場數據訂閱",
                "未訂閱實時數據的報價會延遲 15 分鐘。請於後台檢查客戶的訂閱；付款後須重新登入"
                "才會生效。",
            ),
        ),
        tags=("market-data", "delay"),
    ),
    DemoArticle(
        "market-data",
        (
            Text(
                "Subscribing to real-time HKEX data",
                "Clients subscribe under *Account → Market data*. Professional investors pay "
                "the exchange's professional fee; the non-professional declaration must be "
                "signed first.",
                "訂閱港交所實時數據",
                "客戶可於「戶口 → 市場數據」訂閱。專業投資者須繳付交易所的專業用戶費用；"
                "非專業用戶須先簽署聲明。",
            ),
        ),
        tags=("subscription",),
    ),
    DemoArticle(
        "market-data",
        (
            Text(
                "Market-data billing questions",
                "Fees are charged on the first business day of the month for the month ahead. "
                "Cancelling stops the next charge; the current month is not refunded.",
                "市場數據收費查詢",
                "費用於每月首個工作天預先收取。取消訂閱後不會再收取下期費用，但當月費用不設退款。",
            ),
        ),
        tags=("billing",),
    ),
    DemoArticle(
        "funding",
        (
            Text(
                "Deposit not credited",
                "Ask the client for the bank's transfer slip.",
                "存款未入帳",
                "請客戶提供銀行轉帳紀錄。",
            ),
            Text(
                "Deposit not credited: what to check",
                "1. FPS deposits arrive within minutes; bank transfers by the next business "
                "day.\n2. Ask for the transfer slip showing the **account number in the "
                "reference**.\n3. Deposits without a reference are matched by hand by Funding "
                "Operations (up to 2 business days).\n4. Third-party deposits are returned.",
                "存款未入帳的處理步驟",
                "1. 轉數快存款一般數分鐘內到帳；銀行轉帳於下一個工作天到帳。\n"
                "2. 請客戶提供轉帳紀錄，附言須包括**戶口號碼**。\n"
                "3. 沒有附言的存款由資金部人手配對，需時最多兩個工作天。\n4. 第三者存款會被退回。",
            ),
        ),
        tags=("deposit",),
    ),
    DemoArticle(
        "funding",
        (
            Text(
                "Withdrawal processing times and cut-offs",
                "Withdrawals requested before 11:00 HKT on a business day are paid the same "
                "day; later ones the next business day. Funds go only to a bank account in "
                "the client's own name.",
                "提款處理時間及截數時間",
                "工作天上午 11 時（香港時間）前提交的提款即日處理，之後提交的於下一個工作天處理。"
                "款項只會存入客戶本人名下的銀行戶口。",
            ),
        ),
        tags=("withdrawal",),
    ),
    DemoArticle(
        "funding",
        (
            Text(
                title_zh_hant="第三者存款政策",
                body_zh_hant="本公司不接受第三者存款。由非戶口持有人名下銀行戶口轉入的款項，會於"
                "三個工作天內原路退回，銀行收費由客戶承擔。",
            ),
        ),
        tags=("deposit",),
    ),
    DemoArticle(
        "statements-accounts",
        (
            Text(
                "Where to find monthly statements",
                "Statements are published on the 5th business day under *Account → "
                "Statements* and kept for seven years. Older statements: request from "
                "Account Services.",
                "如何下載月結單",
                "月結單於每月第五個工作天上載至「戶口 → 結單」，保存七年。如需更早的結單，"
                "請向客戶服務部申請。",
            ),
        ),
        tags=("statements",),
    ),
    DemoArticle(
        "statements-accounts",
        (
            Text(
                "W-8BEN renewal for US dividends",
                "W-8BEN forms expire at the end of the third calendar year after signing. "
                "Without a valid form, US dividends are withheld at 30 % instead of the "
                "treaty rate. Clients renew online under *Account → Tax forms*.",
                "續期 W-8BEN 表格",
                "W-8BEN 表格於簽署後第三個曆年年底失效。如沒有有效表格，美股股息會按 30% 而非"
                "協定稅率預扣。客戶可於「戶口 → 稅務表格」網上續期。",
            ),
        ),
        tags=("tax",),
    ),
    DemoArticle(
        "statements-accounts",
        (
            Text(
                title_zh_hant="更改聯絡資料及地址證明",
                body_zh_hant="客戶可於網上更改電話及電郵；更改住址須上載三個月內發出的地址證明"
                "（例如水電費單或銀行月結單）。",
            ),
        ),
        tags=("contact-details",),
    ),
    DemoArticle(
        "platforms",
        (
            Text(
                "Desktop 7.0 migration guide (draft)",
                "Work in progress: what changes for clients moving from 6.x to 7.0.",
            ),
        ),
        published=False,
    ),
)


@dataclass(frozen=True)
class DemoMacro:
    """A macro: ``team`` is a team slug for a shared macro, ``owner`` an email for a personal
    one (falling back to a supervisor when that person is not seeded)."""

    name: str
    body_en: str = ""
    body_zh_hant: str = ""
    team: str = ""
    owner: str = ""
    set_status: str = ""
    set_priority: int | None = None
    add_tags: tuple[str, ...] = ()


MACROS: tuple[DemoMacro, ...] = (
    DemoMacro(
        "Ask for a screenshot and the time of the error",
        "Hi {client_name},\n\nThank you for contacting us about {ticket_reference}. Could you "
        "send a screenshot of the error and the time it happened? That lets us find it in our "
        "logs.\n\nRegards,\n{agent_name}\n{team_name}",
        "{client_name}您好，\n\n多謝您就 {ticket_reference} 聯絡我們。請提供錯誤畫面截圖及發生"
        "時間，以便我們翻查系統紀錄。\n\n{agent_name}\n{team_name}",
        team="tech-hk",
        set_status="pending_client",
        add_tags=("needs-info",),
    ),
    DemoMacro(
        "Account unlocked — please sign in again",
        "Hi {client_name},\n\nYour account was locked after several unsuccessful attempts. "
        "I have unlocked it; please clear your browser cache and sign in with your **login "
        "password** (not the trading password).\n\nRegards,\n{agent_name}",
        "{client_name}您好，\n\n由於多次輸入錯誤密碼，您的戶口暫時被鎖，我們已為您解鎖。請清除"
        "瀏覽器快取，並以**登入密碼**（並非交易密碼）登入。\n\n{agent_name}",
        team="tech-hk",
        set_status="pending_client",
        add_tags=("login",),
    ),
    DemoMacro(
        "2FA reset — identity check by phone",
        "Hi {client_name},\n\nFor your security we reset two-factor authentication only after "
        "calling you on your registered phone number. We will call you within one business "
        "day about {ticket_reference}.\n\nRegards,\n{agent_name}",
        "{client_name}您好，\n\n為保障戶口安全，我們須先致電您的登記電話號碼核實身份，方可重設"
        "雙重認證。我們會於一個工作天內就 {ticket_reference} 致電您。\n\n{agent_name}",
        team="tech-hk",
        set_status="pending_client",
        add_tags=("2fa", "security"),
    ),
    DemoMacro(
        "Desktop crash — please send the crash log",
        "Hi {client_name},\n\nSorry the platform keeps closing. Please send us the newest file "
        "in `%APPDATA%\\TradeDesk\\logs` (named `crash-…log`) by replying to this email.\n\n"
        "Regards,\n{agent_name}",
        "{client_name}您好，\n\n抱歉平台不斷關閉。請回覆此電郵並附上 `%APPDATA%\\TradeDesk\\logs` "
        "資料夾內最新的 `crash-…log` 檔案。\n\n{agent_name}",
        team="tech-hk",
        set_status="pending_client",
        add_tags=("crash",),
    ),
    DemoMacro(
        "Passed to Platform Tier 2",
        "Hi {client_name},\n\nI have passed {ticket_reference} to our platform specialists, "
        "who will update you as soon as they have checked it.\n\nRegards,\n{agent_name}",
        "{client_name}您好，\n\n我們已將 {ticket_reference} 轉交平台專家跟進，有進展會盡快通知"
        "您。\n\n{agent_name}",
        team="tech-hk",
        set_status="pending_internal",
    ),
    DemoMacro(
        "API rate limits explained",
        "Hi {client_name},\n\nThe `429` answers mean the key went over **20 requests per "
        "second**. Please honour the `Retry-After` header and back off exponentially; if your "
        "strategy needs more, reply and we will review a higher limit.\n\n{agent_name}, "
        "{team_name}",
        team="platform-t2",
        add_tags=("api", "rate-limit"),
    ),
    DemoMacro(
        "FIX session reset done",
        "Hi {client_name},\n\nWe reset the FIX session sequence numbers at our end. Please "
        "log on with `ResetSeqNumFlag=Y` and let us know whether the session stays up.\n\n"
        "{agent_name}, {team_name}",
        "{client_name}您好，\n\n我們已重設 FIX 連線的序號。請以 `ResetSeqNumFlag=Y` 重新登入，"
        "並告知連線是否回復穩定。\n\n{agent_name}，{team_name}",
        team="platform-t2",
        set_status="pending_client",
        add_tags=("fix",),
    ),
    DemoMacro(
        "Waiting on the exchange or data vendor",
        "Hi {client_name},\n\nWe have raised this with the vendor and are waiting for their "
        "answer. We will update {ticket_reference} as soon as we hear back.\n\n{agent_name}",
        "{client_name}您好，\n\n我們已向供應商查詢，正等待回覆，有消息會即時更新 "
        "{ticket_reference}。\n\n{agent_name}",
        team="platform-t2",
        set_status="on_hold",
        set_priority=2,
    ),
    DemoMacro(
        "Deposit — proof of transfer needed",
        "Hi {client_name},\n\nTo trace your deposit, please send the bank's transfer slip "
        "showing the amount, the date and your account number in the reference.\n\n"
        "Regards,\n{agent_name}\n{team_name}",
        "{client_name}您好，\n\n為追查您的存款，請提供銀行轉帳紀錄，須顯示金額、日期及附言中的"
        "戶口號碼。\n\n{agent_name}\n{team_name}",
        team="accounts",
        set_status="pending_client",
        add_tags=("deposit",),
    ),
    DemoMacro(
        "Withdrawal times and cut-off",
        "Hi {client_name},\n\nWithdrawals requested before 11:00 Hong Kong time on a business "
        "day are paid the same day; later requests the next business day.\n\n{agent_name}",
        "{client_name}您好，\n\n工作天上午 11 時（香港時間）前提交的提款即日處理，之後提交的於"
        "下一個工作天處理。\n\n{agent_name}",
        team="accounts",
        add_tags=("withdrawal",),
    ),
    DemoMacro(
        "Where to download statements",
        "Hi {client_name},\n\nYour statements are under **Account → Statements**, published "
        "on the 5th business day of each month.\n\n{agent_name}",
        "{client_name}您好，\n\n月結單位於「**戶口 → 結單**」，每月第五個工作天上載。\n\n"
        "{agent_name}",
        team="accounts",
        add_tags=("statements",),
    ),
    DemoMacro(
        "W-8BEN renewal reminder",
        "Hi {client_name},\n\nYour W-8BEN form has expired, so US dividends are withheld at "
        "30 %. You can renew it online under **Account → Tax forms** in a few minutes.\n\n"
        "{agent_name}",
        team="accounts",
        set_status="pending_client",
        add_tags=("tax",),
    ),
    DemoMacro(
        "Follow-up: any update?",
        "Hi {client_name},\n\nJust checking in on {ticket_reference} ({ticket_subject}): is "
        "everything working now?\n\nBest,\n{agent_name}",
        "{client_name}您好，\n\n想跟進 {ticket_reference}（{ticket_subject}）：問題是否已經解決？"
        "\n\n{agent_name}",
        owner="agent@supportdesk.example",
        set_status="pending_client",
    ),
    DemoMacro(
        "My sign-off",
        "\n\nHave a good day,\n{agent_name}\nTechnical Assistance HK · 24/7",
        owner="agent@supportdesk.example",
    ),
    DemoMacro(
        "跟進中（內部查詢）",
        body_zh_hant="{client_name}您好，\n\n我們正與相關部門跟進 {ticket_reference}，稍後會再"
        "聯絡您。\n\n{agent_name}",
        owner="agent.zh@supportdesk.example",
        set_status="pending_internal",
    ),
    DemoMacro(
        "Apology for the wait (supervisor)",
        "Dear {client_name},\n\nI am {agent_name}, supervisor of {team_name}. I am sorry "
        "{ticket_reference} has taken longer than it should; I am following it personally "
        "and will update you today.",
        "{client_name}您好，\n\n我是{team_name}主管{agent_name}。很抱歉 {ticket_reference} 處理"
        "時間比預期長，我會親自跟進，並於今日內更新您。",
        owner="supervisor@supportdesk.example",
        set_priority=2,
    ),
)

LINKS_PER_TAG = 6


def seed_knowledge_and_macros(
    *,
    rng: random.Random,
    teams: Mapping[str, Team],
    supervisors_by_team: Mapping[str, Sequence[User]],
    admin: User,
) -> None:
    """Write the demo knowledge base and macros (see the module docstring).

    ``teams`` and ``supervisors_by_team`` are keyed by team slug; macros of a team that is not
    given are skipped. Supervisors (and ``admin``) are the articles' authors.
    """
    anchor = timezone.now().replace(minute=0, second=0, microsecond=0)
    categories = {
        category.slug: category
        for category in KnowledgeCategory.objects.bulk_create(
            KnowledgeCategory(slug=slug, name_en=en, name_zh_hant=zh, position=position)
            for position, (slug, en, zh) in enumerate(CATEGORIES)
        )
    }
    editors = [admin, *(user for users in supervisors_by_team.values() for user in users)]
    articles = _seed_articles(rng=rng, categories=categories, editors=editors, anchor=anchor)
    _link_resolved_tickets(rng=rng, articles=articles)
    _seed_macros(teams=teams, supervisors_by_team=supervisors_by_team, admin=admin)


def _seed_articles(
    *,
    rng: random.Random,
    categories: dict[str, KnowledgeCategory],
    editors: list[User],
    anchor: datetime,
) -> list[tuple[Article, DemoArticle]]:
    plans = []
    for demo in ARTICLES:
        # Oldest first: creation 20–120 days ago, each later version some days after.
        created = anchor - timedelta(days=rng.uniform(20, 120))
        times = [created]
        for _version in demo.versions[1:]:
            times.append(times[-1] + timedelta(days=rng.uniform(1, 15), hours=rng.uniform(0, 8)))
        authors = [rng.choice(editors) for _version in demo.versions]
        plans.append((demo, times, authors))

    rows = []
    for demo, _times, authors in plans:
        current = demo.versions[-1]
        rows.append(
            Article(
                category=categories[demo.category],
                title_en=current.title_en,
                title_zh_hant=current.title_zh_hant,
                body_en=current.body_en,
                body_zh_hant=current.body_zh_hant,
                is_published=demo.published,
                version=len(demo.versions),
                created_by=authors[0],
            )
        )
    articles = Article.objects.bulk_create(rows)
    versions = []
    for article, (demo, times, authors) in zip(articles, plans, strict=True):
        article.created_at, article.updated_at = times[0], times[-1]
        for number, (text, author) in enumerate(zip(demo.versions, authors, strict=True), start=1):
            versions.append(
                ArticleVersion(
                    article=article,
                    version=number,
                    title_en=text.title_en,
                    title_zh_hant=text.title_zh_hant,
                    body_en=text.body_en,
                    body_zh_hant=text.body_zh_hant,
                    edited_by=author,
                )
            )
    # ``auto_now``/``auto_now_add`` stamp the insert time; bulk_update sets the planned times.
    versions = ArticleVersion.objects.bulk_create(versions)
    for version, saved_at in zip(
        versions, [time for _demo, times, _authors in plans for time in times], strict=True
    ):
        version.created_at = saved_at
    ArticleVersion.objects.bulk_update(versions, ["created_at"])
    Article.objects.bulk_update(articles, ["created_at", "updated_at"])
    return list(zip(articles, ARTICLES, strict=True))


def _link_resolved_tickets(
    *, rng: random.Random, articles: list[tuple[Article, DemoArticle]]
) -> None:
    """Link a few resolved tickets to the article matching one of their tags ("resolved with
    KB-…"), with the audit event an agent's link would have written."""
    links: list[TicketArticle] = []
    events: list[TicketEvent] = []
    taken: set[tuple[int, int]] = set()
    for article, demo in articles:
        if not demo.published or not demo.tags:
            continue
        tickets = list(
            Ticket.objects.filter(
                status__in=(Ticket.Status.RESOLVED, Ticket.Status.CLOSED),
                tags__overlap=list(demo.tags),
                assignee__isnull=False,
                resolved_at__isnull=False,
            ).order_by("pk")[: LINKS_PER_TAG * 4]
        )
        for ticket in rng.sample(tickets, min(LINKS_PER_TAG, len(tickets))):
            if (ticket.pk, article.pk) in taken:
                continue
            taken.add((ticket.pk, article.pk))
            linked_at = ticket.resolved_at - timedelta(minutes=rng.uniform(1, 10))
            links.append(TicketArticle(ticket=ticket, article=article, linked_by=ticket.assignee))
            events.append(
                TicketEvent(
                    ticket=ticket,
                    actor=ticket.assignee,
                    action="article_linked",
                    field="articles",
                    new_value=article.reference,
                    source=TicketEvent.Source.WEB,
                    created_at=linked_at,
                )
            )
    links = TicketArticle.objects.bulk_create(links)
    for link, event in zip(links, events, strict=True):
        link.created_at = event.created_at
    TicketArticle.objects.bulk_update(links, ["created_at"])
    TicketEvent.objects.bulk_create(events)


def _seed_macros(
    *,
    teams: Mapping[str, Team],
    supervisors_by_team: Mapping[str, Sequence[User]],
    admin: User,
) -> None:
    owners = {
        user.email: user
        for user in User.objects.filter(email__in={demo.owner for demo in MACROS if demo.owner})
    }
    fallback = next((users[0] for users in supervisors_by_team.values() if users), admin)
    rows = []
    for demo in MACROS:
        team = teams.get(demo.team) if demo.team else None
        if demo.team and team is None:
            continue
        owner = None if team else owners.get(demo.owner, fallback)
        supervisors = supervisors_by_team.get(demo.team) or [admin]
        rows.append(
            Macro(
                name=demo.name,
                owner=owner,
                team=team,
                body_en=demo.body_en,
                body_zh_hant=demo.body_zh_hant,
                set_status=demo.set_status,
                set_priority=demo.set_priority,
                add_tags=list(demo.add_tags),
                created_by=supervisors[0] if team else owner,
            )
        )
    Macro.objects.bulk_create(rows)
