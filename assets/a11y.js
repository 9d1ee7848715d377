// Accessible names and roles that Dash components cannot be given from Python. Dash renders
// (and re-renders) its components after page load, so DOM changes are watched; plotly redraws
// make thousands of such changes, so the fixing runs at most once per animation frame.
(function () {
  var scheduled = false;
  function setAttribute(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  // dcc slider thumbs accept no aria props: each filter row carries its visible heading in
  // data-label, and every thumb in the row is named after it.
  function nameThumbs() {
    document.querySelectorAll(".filter-row[data-label]").forEach(function (row) {
      var thumbs = row.querySelectorAll("[role=slider]");
      thumbs.forEach(function (thumb, i) {
        var name = row.getAttribute("data-label");
        if (thumbs.length === 2) name += i === 0 ? " (from)" : " (to)";
        setAttribute(thumb, "aria-label", name);
      });
    });
  }
  // dcc.Upload's file input (the keyboard's way to choose a file) is named by the box's text.
  function nameFileInputs() {
    document.querySelectorAll(".upload-box").forEach(function (box) {
      var label = box.querySelector(".upload-label");
      var input = box.querySelector("input[type=file]");
      if (label && label.id && input) setAttribute(input, "aria-labelledby", label.id);
    });
  }
  // Dash 4's dcc.Dropdown takes the keyboard focus on a read-only input it hides from screen
  // readers (aria-hidden), so a keyboard user lands on a control with no name or role. The
  // input is shown as what it is, the dropdown's combobox, says whether its list is open (as
  // the button beside it does), and is named by the field's label, then the chosen values and
  // their count in the order they are shown. The button (the mouse's way in, no Tab stop) is
  // named by its <label> alone: Dash names it by the values and count, a name that does not
  // contain its visible text as written (speech input users say what they see).
  function inPageOrder(a, b) {
    return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
  }
  function describeDropdowns() {
    document.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
      var target = wrapper.querySelector(".dash-dropdown-focus-target");
      var button = wrapper.querySelector("button.dash-dropdown");
      if (!target || !button) return;
      var label = button.id && document.querySelector("label[for='" + button.id + "']");
      var labelId = label && label.id ? label.id : null;
      var own = button.getAttribute("aria-labelledby") || target.getAttribute("aria-labelledby");
      var parts = (own || "")
        .split(/\s+/)
        .filter(function (id) { return id && id !== labelId; })
        .map(function (id) { return document.getElementById(id); })
        .filter(Boolean)
        .sort(inPageOrder)
        .map(function (el) { return el.id; });
      var names = (labelId ? [labelId] : []).concat(parts).join(" ");
      if (target.hasAttribute("aria-hidden")) target.removeAttribute("aria-hidden");
      setAttribute(target, "role", "combobox");
      setAttribute(target, "aria-haspopup", "listbox");
      setAttribute(target, "aria-expanded", button.getAttribute("aria-expanded") || "false");
      if (names) setAttribute(target, "aria-labelledby", names);
      if (labelId && button.hasAttribute("aria-labelledby")) {
        button.removeAttribute("aria-labelledby");
      }
    });
  }
  function fix() {
    scheduled = false;
    nameThumbs();
    nameFileInputs();
    describeDropdowns();
  }
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(fix);
    }
  }
  new MutationObserver(schedule).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["aria-expanded"],
  });
  document.addEventListener("DOMContentLoaded", schedule);
})();

// The skip link moves the keyboard focus to the results without writing "#results" into the
// address (the URL is the view's shareable state); the link's own href is the no-script way.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a.skip-link");
  if (!link) return;
  var target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "start" });
});
