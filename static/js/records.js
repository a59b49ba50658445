// The records list from the keyboard: j/k move between rows, x ticks the row (for the
// bulk actions), o or Enter opens the record, t then a tag's key toggles that tag on it,
// / jumps to the search box, [ and ] turn the page, ? shows the keys. Nothing happens
// while typing in a field.
(() => {
  "use strict";
  let current = -1;

  const rows = () => Array.from(document.querySelectorAll('[data-testid="record"]'));

  function focusRow(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((row, i) => row.classList.toggle("table-active", i === current));
    const row = all[current];
    row.setAttribute("tabindex", "-1");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    return rows()[current] || null;
  }

  function toggleTick() {
    const box = currentRow() && currentRow().querySelector('input[type="checkbox"][name="id"]');
    if (box) box.checked = !box.checked;
  }

  function open() {
    const link = currentRow() && currentRow().querySelector("a[href]");
    if (link) window.location.assign(link.href);
  }

  function turn(rel) {
    const link = document.querySelector(`[data-testid="pagination"] a[rel="${rel}"]`);
    if (link) window.location.assign(link.href);
  }

  function toggleHelp() {
    const help = document.getElementById("records-help");
    if (help) help.hidden = !help.hidden;
  }

  // "t": open the row's tag picker (the page's one picker, copied in: see below); the
  // next key toggles the tag with that key, any other key closes the picker.
  let tagRow = null;

  function openTags() {
    const opener = currentRow() && currentRow().querySelector("[data-tag-open]");
    if (!opener) return;
    if (opener.getAttribute("aria-expanded") !== "true") opener.click();
    tagRow = currentRow();
  }

  function pickTag(key) {
    const row = tagRow;
    tagRow = null;
    const button = row && row.querySelector(`[data-testid="tag-picker"] [data-tag-key="${CSS.escape(key)}"]`);
    if (!button) {
      const opener = row && row.querySelector('[data-tag-open][aria-expanded="true"]');
      if (opener) opener.click();
      return;
    }
    if (window.htmx) window.htmx.process(button.form);
    button.form.requestSubmit(button);
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    const typing = target && (["TEXTAREA", "INPUT", "SELECT"].includes(target.tagName) || target.isContentEditable);
    if (typing) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (tagRow) {
      pickTag(event.key);
      event.preventDefault();
      return;
    }
    switch (event.key) {
      case "j": focusRow(current + 1); break;
      case "k": focusRow(current - 1); break;
      case "x": toggleTick(); break;
      case "t": openTags(); break;
      case "o": case "Enter": if (current < 0) return; open(); break;
      case "/": { const q = document.getElementById("f-q"); if (q) q.focus(); break; }
      case "[": turn("prev"); break;
      case "]": turn("next"); break;
      case "?": toggleHelp(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-records-help]")) toggleHelp();
  });
})();

// Tagging from the list: the page holds one tag picker (a <template>); "tag" in a row
// copies it into that row, its forms posting to that record (HTMX swaps the row's tags).
(() => {
  "use strict";
  const template = document.getElementById("tag-picker-template");
  if (!template) return;
  const base = template.dataset.recordsUrl;

  function close(box) {
    const picker = box.querySelector('[data-testid="tag-picker"]');
    if (picker) picker.remove();
    const opener = box.querySelector("[data-tag-open]");
    if (opener) opener.setAttribute("aria-expanded", "false");
  }

  function open(box) {
    document.querySelectorAll('[data-testid="record-tags"]').forEach((other) => {
      if (other !== box) close(other);
    });
    const picker = template.content.firstElementChild.cloneNode(true);
    const url = `${base}${box.dataset.record}/tags/`;
    picker.querySelectorAll("form[data-tag-form]").forEach((form) => {
      form.action = url;
      form.setAttribute("hx-post", url);
      form.setAttribute("hx-target", `#${box.id}`);
      form.setAttribute("hx-swap", "outerHTML");
    });
    box.appendChild(picker);
    box.querySelector("[data-tag-open]").setAttribute("aria-expanded", "true");
    if (window.htmx) window.htmx.process(picker);
  }

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-tag-open]");
    if (!opener) return;
    const box = opener.closest('[data-testid="record-tags"]');
    if (box.querySelector('[data-testid="tag-picker"]')) close(box);
    else open(box);
  });
})();
