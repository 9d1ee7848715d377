// Display-only panels drawn from plain data (components/plain_html.py, app/layout/static_parts.py):
// the summary cards and the survival tables, without one Dash component per cell.
// Text is set as text (never parsed as markup); tags and attributes pass an allow-list.
(function () {
  var TAGS = ("div span p ul ol li table caption thead tbody tfoot tr th td small strong em b i " +
    "br abbr sup sub h2 h3 h4 h5 h6 section figure figcaption").split(" ");
  var ATTRS = ["id", "class", "scope", "colspan", "rowspan", "role", "title", "style"];

  function allowedAttribute(name) {
    return ATTRS.indexOf(name) >= 0 || /^(aria|data)-[a-z][a-z0-9-]*$/.test(name);
  }

  function build(node, parent) {
    if (node === null || node === undefined || node === false) return;
    if (Array.isArray(node)) {
      node.forEach(function (child) { build(child, parent); });
      return;
    }
    if (typeof node !== "object") {
      parent.appendChild(document.createTextNode(String(node)));
      return;
    }
    if (TAGS.indexOf(node.tag) < 0) return;
    var element = document.createElement(node.tag);
    var attrs = node.attrs || {};
    Object.keys(attrs).forEach(function (name) {
      if (allowedAttribute(name)) element.setAttribute(name, String(attrs[name]));
    });
    build(node.children, element);
    parent.appendChild(element);
  }

  // Draws into the container (which Dash renders with no children of its own, so React
  // never touches these nodes).
  function draw(container, data) {
    var fragment = document.createDocumentFragment();
    build(data, fragment);
    container.replaceChildren(fragment);
  }

  // Arguments: the part's data, the container's id; the output is not changed. data null
  // (a store not written yet): nothing is drawn; [] clears the part.
  function render(data, containerId) {
    var container = document.getElementById(containerId);
    if (container && data !== null && data !== undefined) draw(container, data);
    return window.dash_clientside.no_update;
  }

  // The opening content (the container's data-opening attribute), drawn when React adds the
  // container: a MutationObserver's callback runs before the browser paints, so the first
  // paint of the page already shows it. Every part with opening content is in the first
  // render, so the observer stops once the results are in the page.
  function drawOpening() {
    var waiting = document.querySelectorAll("[data-opening]");
    for (var i = 0; i < waiting.length; i++) {
      var container = waiting[i];
      var text = container.getAttribute("data-opening");
      container.removeAttribute("data-opening");
      try {
        draw(container, JSON.parse(text));
      } catch (error) {
        // Drawn by its callback instead, as any later content.
      }
    }
  }

  if (typeof MutationObserver !== "undefined") {
    var observer = new MutationObserver(function () {
      drawOpening();
      if (document.getElementById("results")) observer.disconnect();
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.staticParts = Object.assign({}, window.dash_clientside.staticParts, {
    render: render,
  });
})();
