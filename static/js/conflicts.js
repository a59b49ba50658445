// Conflicts: decide from the keyboard. j/k move between conflicts; i/e choose the final
// decision; 1-9 pick the exclusion reason (0: none); n goes to the note; Enter records it.
// The decision arrives by HTMX, with the page's count swapped out of band.
(function () {
  "use strict";
  const KEYS = { i: "include", e: "exclude", m: "maybe" };
  const cards = () => Array.from(document.querySelectorAll(".conflict-card"));
  const open = (card) => card && card.querySelector("form[data-testid=decision-form]");

  function current() {
    const active = document.activeElement && document.activeElement.closest(".conflict-card");
    return active || cards().find((c) => c.classList.contains("conflict-current")) || null;
  }

  function select(card) {
    if (!card) return;
    cards().forEach((c) => c.classList.toggle("conflict-current", c === card));
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const list = cards();
    if (!list.length) return;
    const at = list.indexOf(current());
    if (at < 0) { select(step > 0 ? list[0] : list[list.length - 1]); return; }
    select(list[Math.min(list.length - 1, Math.max(0, at + step))]);
  }

  // The next conflict still waiting for a decision after `card` (or before it, at the end).
  function nextOpen(card) {
    const list = cards();
    const at = list.indexOf(card);
    return list.slice(at + 1).find(open) || list.slice(0, at).reverse().find(open) || null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (window.reviewappTyping && window.reviewappTyping(target)) {
      if (event.key === "Escape") { const card = target.closest(".conflict-card"); if (card) select(card); else target.blur(); }
      return;
    }
    const key = event.key;
    if (key === "j") { move(1); event.preventDefault(); return; }
    if (key === "k") { move(-1); event.preventDefault(); return; }
    const card = current() || (cards().length && /^[iem0-9n]$|^Enter$/.test(key) ? cards()[0] : null);
    const form = open(card);
    if (!form) return;
    if (KEYS[key]) {
      const radio = form.querySelector(`input[name=verdict][value=${KEYS[key]}]`);
      if (!radio) return;
      radio.checked = true;
      select(card);
    } else if (/^[0-9]$/.test(key)) {
      const reason = form.querySelector("select[name=reason]");
      if (!reason || Number(key) >= reason.options.length) return;
      reason.selectedIndex = Number(key);
      if (Number(key) > 0 && form.querySelector("input[name=verdict][value=exclude]")) {
        form.querySelector("input[name=verdict][value=exclude]").checked = true;
      }
      select(card);
    } else if (key === "n") {
      const note = form.querySelector("textarea[name=note]");
      if (note) note.focus();
    } else if (key === "Enter") {
      if (target.tagName === "A" || target.tagName === "BUTTON" || target.tagName === "SUMMARY") return;
      form.requestSubmit();
    } else return;
    event.preventDefault();
  });

  // After a decision: the next open conflict becomes the current one.
  let deciding = null;
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    deciding = event.detail.elt && event.detail.elt.closest(".conflict-card");
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    const card = deciding;
    deciding = null;
    if (!card || open(card)) return;
    const next = nextOpen(card);
    if (next) select(next);
  });
})();
