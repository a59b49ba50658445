// Evidence table: sort by a column (click its heading; again to reverse) and filter rows.
(function () {
  "use strict";
  const table = document.getElementById("evidence-table");
  if (!table) return;
  const body = table.tBodies[0];
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  let sorted = { index: -1, direction: 1 };

  table.querySelectorAll("[data-sort-column]").forEach(function (button) {
    button.addEventListener("click", function () {
      const index = Number(button.dataset.sortColumn);
      sorted.direction = sorted.index === index ? -sorted.direction : 1;
      sorted.index = index;
      const rows = Array.from(body.rows).filter(function (r) { return r.cells.length > 1; });
      rows.sort(function (a, b) {
        const x = a.cells[index].textContent.trim();
        const y = b.cells[index].textContent.trim();
        if (!x && y) return 1;  // empty cells last, whichever the direction
        if (x && !y) return -1;
        return sorted.direction * collator.compare(x, y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
      table.querySelectorAll("th").forEach(function (th, i) {
        th.setAttribute("aria-sort", i === index ? (sorted.direction > 0 ? "ascending" : "descending") : "none");
      });
    });
  });

  const filter = document.getElementById("evidence-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.from(body.rows).forEach(function (r) {
        const text = r.textContent.toLowerCase();
        r.hidden = !words.every(function (w) { return text.includes(w); });
      });
    });
  }
})();
