// Hidden tabs send nothing (app/callbacks/visible.py). Each gated part of the page has a store
// that its server callback listens to; these functions write a fingerprint of the view into it
// only while the part is visible and only when the view differs from the one it last showed.
// A filter change thus requests the open tab alone, and opening a tab requests it only when
// the view changed since it was last shown (its panels still show that view otherwise).
(function () {
  // cyrb53 (public domain, bryc): a 53-bit hash of the view's values. It only tells views
  // apart in the browser; no value or data leaves the page through it.
  function fingerprint(values) {
    var text = JSON.stringify(values);
    var h1 = 0xdeadbeef;
    var h2 = 0x41c6ce57;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
  }

  function gate(view, visible, previous) {
    if (!visible) return window.dash_clientside.no_update;
    var key = fingerprint(view);
    return key === previous ? window.dash_clientside.no_update : key;
  }

  // Arguments: the view's values..., the tab panel's `hidden`, the store's previous key.
  function whenShown() {
    var view = Array.prototype.slice.call(arguments);
    var previous = view.pop();
    var hidden = view.pop();
    return gate(view, !hidden, previous);
  }

  // Arguments: the view's values..., a lazy part's children (app/layout/lazy.py: empty until
  // its tab is first shown; its graphs are what the callback writes), the panel's `hidden`,
  // the store's previous key.
  function whenBuilt() {
    var view = Array.prototype.slice.call(arguments);
    var previous = view.pop();
    var hidden = view.pop();
    var built = view.pop();
    return gate(view, !hidden && !!built, previous);
  }

  // Every gate but the timelines' in one callback (app/callbacks/visible.py: each callback
  // the renderer runs costs as much again in its own bookkeeping). ``spec``: how many view
  // values come first, then one entry per gate: "shown" (the tab panel's `hidden`), "built"
  // (a lazy part's children, then the panel's `hidden`) or "open" (the methods <details>
  // summary's clicks: odd is open); then the gates' previous keys and the clicked
  // Kaplan–Meier step. Returns each gate's key, then the step-clearing value: a new view
  // (one of ``spec.viewProps`` triggered this call, not a tab being opened) clears a clicked
  // step, which may not exist in the new view; without one nothing is sent.
  function gates(spec, args) {
    var view = args.slice(0, spec.view);
    var at = spec.view;
    var visible = spec.kinds.map(function (kind) {
      if (kind === "built") {
        var built = args[at];
        var hidden = args[at + 1];
        at += 2;
        return !hidden && !!built;
      }
      var value = args[at];
      at += 1;
      return kind === "open" ? typeof value === "number" && value % 2 === 1 : !value;
    });
    var out = visible.map(function (shown, k) {
      return gate(view, shown, args[at + k]);
    });
    var step = args[at + spec.kinds.length];
    var context = window.dash_clientside.callback_context || {};
    var triggered = (context.triggered || []).map(function (t) { return t.prop_id; });
    var newView = triggered.some(function (prop) { return spec.viewProps.indexOf(prop) >= 0; });
    out.push(step && newView ? fingerprint(view) : window.dash_clientside.no_update);
    return out;
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.views = Object.assign({}, window.dash_clientside.views, {
    whenShown: whenShown,
    whenBuilt: whenBuilt,
    gates: gates,
  });
})();
