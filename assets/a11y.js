// Accessible names for dcc slider thumbs, which accept no aria props: each filter row carries
// its visible heading in data-label, and every thumb in the row is named after it. Dash renders
// (and re-renders) the sliders after page load, so DOM changes are watched; plotly redraws
// make thousands of such changes, so the naming runs at most once per animation frame.
(function () {
  var scheduled = false;
  function nameThumbs() {
    scheduled = false;
    document.querySelectorAll(".filter-row[data-label]").forEach(function (row) {
      var thumbs = row.querySelectorAll("[role=slider]");
      thumbs.forEach(function (thumb, i) {
        var name = row.getAttribute("data-label");
        if (thumbs.length === 2) name += i === 0 ? " (from)" : " (to)";
        if (thumb.getAttribute("aria-label") !== name) thumb.setAttribute("aria-label", name);
      });
    });
  }
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(nameThumbs);
    }
  }
  new MutationObserver(schedule).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  document.addEventListener("DOMContentLoaded", schedule);
})();
