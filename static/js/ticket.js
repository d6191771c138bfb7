// The ticket page's small controllers: error fragments, version sync, composer, presence pings.
(function () {
  "use strict";

  if (window.htmx) {
    // htmx does not swap 4xx answers by default; the field fragments carry their refusal
    // (invalid value 400, not allowed 403, stale 409 …) and must be shown to the agent.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(400|403|404|409|413|415|422)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  // Every form that carries the ticket's version follows the shared one, which in-place edits
  // update out of band, so that a later reply or status change is not refused as stale.
  function syncVersion() {
    const shared = document.getElementById("ticket-version");
    if (!shared) return;
    document.querySelectorAll("input[data-ticket-version]").forEach((input) => {
      input.value = shared.value;
    });
  }
  document.addEventListener("htmx:afterSettle", syncVersion);

  // A request that fails without a fragment (network, 500) still tells the agent.
  document.addEventListener("htmx:responseError", (event) => {
    const target = event.detail.target;
    if (!target || target.id === "presence") return;
    const note = document.createElement("p");
    note.className = "field-error";
    note.setAttribute("role", "alert");
    note.textContent = document.documentElement.lang.startsWith("zh")
      ? "未能儲存，請重新載入頁面後再試。"
      : "Not saved: reload the page and try again.";
    target.appendChild(note);
  });

  // "Reply" and "Internal note" quick actions open their composer and put the cursor in it.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-open-composer]");
    if (!link) return;
    const kind = link.getAttribute("data-open-composer");
    const panel = document.getElementById(kind + "-panel");
    if (!panel) return;
    event.preventDefault();
    panel.open = true;
    panel.scrollIntoView({ behavior: "smooth", block: "start" });
    const textarea = panel.querySelector("textarea");
    if (textarea) textarea.focus({ preventScroll: true });
  });

  // Typing a reply tells the others on the ticket "… is replying" (at most every 4 seconds).
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }
  let lastPing = 0;
  document.addEventListener("input", (event) => {
    if (!event.target.matches("#reply-body, #note-body")) return;
    const now = Date.now();
    if (now - lastPing < 4000) return;
    lastPing = now;
    const composer = event.target.closest("[data-presence-url]");
    const presence = document.getElementById("presence");
    if (!composer || !presence) return;
    const data = new FormData();
    data.append("activity", "replying");
    fetch(composer.getAttribute("data-presence-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        // The fragment is rendered by the server with every value escaped.
        if (html !== null) presence.innerHTML = html;
      })
      .catch(() => {});
  });

  // A refused post re-renders the page: bring the message into view.
  document.addEventListener("DOMContentLoaded", () => {
    const error = document.getElementById("ticket-error");
    if (error) error.scrollIntoView({ block: "center" });
  });
})();
