// One shortcut help for every queue page: "?" (or a [data-shortcut-help] button) shows or
// hides the page's own list, #shortcut-help, written in its template. Esc hides it.
(function () {
  "use strict";
  const help = () => document.getElementById("shortcut-help");

  function typing(target) {
    return !!target && (target.tagName === "TEXTAREA" || target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(target.type)) ||
      target.isContentEditable);
  }

  function show(visible) {
    const h = help();
    if (!h) return;
    h.hidden = !visible;
    document.querySelectorAll("[data-shortcut-help]").forEach((b) => b.setAttribute("aria-expanded", String(visible)));
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || !help()) return;
    if (event.key === "?") show(help().hidden);
    else if (event.key === "Escape" && !help().hidden) show(false);
    else return;
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-shortcut-help]")) return;
    event.preventDefault();
    show(help().hidden);
  });

  // Shared with the page scripts: whether a key press is text being typed.
  window.reviewappTyping = typing;
})();
