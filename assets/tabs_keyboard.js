// Keyboard for the analysis tabs (WAI-ARIA tabs pattern, automatic activation): Left/Right
// move to the previous/next tab (wrapping), Home/End to the first/last, and the tab reached is
// focused and opened. Opening is a click, so the page's one switching callback (app/layout/
// tabs.py) sets aria-selected, the panels and the roving tabindex. Listening on the document
// works for tabs Dash renders after this script runs.
(function () {
  var KEYS = { ArrowLeft: -1, ArrowRight: 1, Home: "first", End: "last" };
  document.addEventListener("keydown", function (event) {
    var tab = event.target;
    if (!(event.key in KEYS) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (!tab.getAttribute || tab.getAttribute("role") !== "tab") return;
    var list = tab.closest("[role=tablist]");
    if (!list) return;
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
    var at = tabs.indexOf(tab);
    var move = KEYS[event.key];
    var next;
    if (move === "first") next = 0;
    else if (move === "last") next = tabs.length - 1;
    else next = (at + move + tabs.length) % tabs.length;
    event.preventDefault();
    tabs[next].focus();
    if (tabs[next].getAttribute("aria-selected") !== "true") tabs[next].click();
  });
})();
