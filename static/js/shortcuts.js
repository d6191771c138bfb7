// Keyboard shortcuts for ticket lists (the help dialog's text lives in the template):
//   j / k      move the current row down / up      o / Enter  open the current ticket
//   x          tick the current row's checkbox     /          focus the search box
//   ?          show the help dialog
// Also: the "select all" checkbox of a table ticks every row on the page.
(() => {
  "use strict";

  const list = document.querySelector("[data-shortcuts-list]") || document.querySelector("table.tickets");
  const rows = () => (list ? Array.from(list.querySelectorAll("tbody tr")) : []);
  let current = -1;

  const isTyping = (target) =>
    target instanceof Element &&
    (target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])") !== null);

  function setCurrent(index) {
    const all = rows();
    if (all.length === 0) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, position) => {
      row.classList.toggle("is-current", position === current);
      if (position === current) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    });
    const link = all[current].querySelector("a[data-ticket-link], a");
    if (link) link.focus();
    all[current].scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    const all = rows();
    if (current < 0) {
      // Start from the row holding the focus, if any (e.g. after Tab into the table).
      const focused = document.activeElement && document.activeElement.closest("tbody tr");
      current = focused ? all.indexOf(focused) : -1;
    }
    return all[current] || null;
  }

  function syncSelectAll() {
    const boxes = rows().map((row) => row.querySelector("input[type=checkbox]")).filter(Boolean);
    document.querySelectorAll("[data-select-all]").forEach((all) => {
      const ticked = boxes.filter((box) => box.checked).length;
      all.checked = boxes.length > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  }

  function showHelp() {
    const dialog = document.getElementById("shortcut-help");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  function focusSearch() {
    const box =
      document.getElementById("global-search") ||
      document.querySelector("[data-shortcut-search]") ||
      document.querySelector("input[type=search]");
    if (!box) return false;
    box.focus();
    if (typeof box.select === "function") box.select();
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    let handled = true;
    switch (event.key) {
      case "j":
        setCurrent(currentRow() ? current + 1 : 0);
        break;
      case "k":
        setCurrent(currentRow() ? current - 1 : 0);
        break;
      case "o":
      case "Enter": {
        const row = currentRow();
        const link = row && row.querySelector("a[data-ticket-link], a");
        const focus = document.activeElement;
        // Enter keeps its usual meaning on links and buttons (the focused ticket link opens
        // natively); it opens the current ticket only when nothing interactive has the focus.
        const idle = !focus || focus === document.body || focus === document.getElementById("main");
        if (link && (event.key === "o" || idle)) window.location.assign(link.href);
        else handled = false;
        break;
      }
      case "x": {
        const box = currentRow() && currentRow().querySelector("input[type=checkbox]");
        if (box) {
          box.checked = !box.checked;
          box.dispatchEvent(new Event("change", { bubbles: true }));
        }
        break;
      }
      case "/":
        handled = focusSearch();
        break;
      case "?":
        showHelp();
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.matches("[data-select-all]")) {
      rows().forEach((row) => {
        const box = row.querySelector("input[type=checkbox]");
        if (box) box.checked = target.checked;
      });
    }
    if (target.matches("[data-select-all], tbody input[type=checkbox]")) syncSelectAll();
  });

  document.querySelectorAll("[data-shortcut-help]").forEach((button) => button.addEventListener("click", showHelp));
  syncSelectAll();
})();
