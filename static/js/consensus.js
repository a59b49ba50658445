// Consensus: n/p jump to the next/previous item where the extractors differ; d (or the
// box) shows differences only. Tab from the row reaches its buttons.
(function () {
  "use strict";
  const table = document.querySelector("[data-testid=compare-table]");
  const only = document.getElementById("differences-only");
  if (!table || !only) return;
  const rows = () => Array.from(table.querySelectorAll("tr.compare-row"));
  const differing = () => rows().filter((r) => r.dataset.differs === "1");

  function filter() {
    rows().forEach((r) => { r.hidden = only.checked && r.dataset.differs !== "1"; });
  }

  function go(step) {
    const list = differing();
    if (!list.length) return;
    const all = rows();
    const here = document.activeElement && document.activeElement.closest("tr.compare-row");
    const at = here ? all.indexOf(here) : (step > 0 ? -1 : all.length);
    const ahead = step > 0 ? list.filter((r) => all.indexOf(r) > at) : list.filter((r) => all.indexOf(r) < at).reverse();
    const next = ahead[0] || (step > 0 ? list[0] : list[list.length - 1]); // wrap around
    all.forEach((r) => r.classList.toggle("compare-current", r === next));
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "center" });
  }

  only.addEventListener("change", filter);
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-next-difference]")) go(1);
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (window.reviewappTyping && window.reviewappTyping(event.target)) return;
    if (event.key === "n") go(1);
    else if (event.key === "p") go(-1);
    else if (event.key === "d") { only.checked = !only.checked; filter(); }
    else return;
    event.preventDefault();
  });
})();
