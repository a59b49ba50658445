// Start ReDoc on the schema named by #redoc-container (no inline script, so a strict CSP holds).
(function () {
  var el = document.getElementById("redoc-container");
  var settings = {};
  try { settings = JSON.parse(el.dataset.settings || "{}"); } catch (e) { settings = {}; }
  window.Redoc.init(el.dataset.schemaUrl, settings, el);
})();
