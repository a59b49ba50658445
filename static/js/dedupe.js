// Possible duplicates: decide from the keyboard. j/k move, d = duplicates, n = different, x = select.
(function () {
  function cards() { return Array.from(document.querySelectorAll("#pairs .pair-card")); }
  function current() { return document.activeElement && document.activeElement.closest(".pair-card") || cards()[0]; }
  function move(step) {
    const list = cards(); if (!list.length) return;
    const i = list.indexOf(current());
    const next = list[Math.min(list.length - 1, Math.max(0, i + step))];
    next.focus(); next.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (event) {
    if (event.target.matches("input[type=text], textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    const card = current(); if (!card) return;
    if (event.key === "j") move(1);
    else if (event.key === "k") move(-1);
    else if (event.key === "x") { const box = card.querySelector(".pair-select"); if (box) box.checked = !box.checked; }
    else if (event.key === "d" || event.key === "n") {
      const button = card.querySelector(`[data-action=${event.key === "d" ? "confirm" : "reject"}]`);
      if (button && !button.disabled) { button.disabled = true; button.click(); }
    } else return;
    event.preventDefault();
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const card = event.detail.target && document.getElementById(event.detail.target.id);
    if (card) { card.focus(); move(1); }
  });
})();
