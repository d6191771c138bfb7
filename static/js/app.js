// Small progressive enhancements; every page works without this file.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    document.querySelectorAll("details.usermenu[open]").forEach((menu) => menu.removeAttribute("open"));
  }
});
