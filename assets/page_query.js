// The address bar and the language link follow the view (app/callbacks/view.py).
// The server answers each change of the controls with the view's query (query_from_controls);
// this function puts it in the address bar: a new history entry per view, so the browser's
// Back and Forward return to the previous view (dcc.Location hears them and sets the
// controls). An opening address with a query sets the controls (controls_from_url) and the
// first answer comes from them: that address stays as it was given (a shared link is not
// rewritten). A plain opening address sets nothing (gate), so no answer comes from it and the
// first answer is the user's first change. The language link is the same address with the
// other language.
(function () {
  function isPlain(search) {
    return !search || search === "?";
  }
  // Read once, when the page opens: a plain opening address gets no answer to skip.
  var opened = isPlain(window.location.search);
  var gated = false;

  // dcc.Location's search -> the store controls_from_url listens to. On opening a plain
  // address nothing changes (the layout's controls are the defaults); afterwards every
  // search passes, "" included (Back to the plain address resets the controls).
  function gate(search) {
    if (!gated) {
      gated = true;
      if (isPlain(search)) return window.dash_clientside.no_update;
    }
    return typeof search === "string" ? search : "";
  }

  function follow(query, language) {
    if (typeof query === "string") {
      if (!opened) {
        opened = true;
      } else if (query !== window.location.search) {
        window.history.pushState(null, "", window.location.pathname + query + window.location.hash);
      }
    }
    // The address bar now shows the view (or, before the first answer, the opening address).
    var params = new URLSearchParams(window.location.search);
    if (language !== "en") { params.delete("lang"); } else { params.set("lang", "es"); }
    var other = params.toString();
    return other ? "?" + other : "?";
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.pageQuery = Object.assign({}, window.dash_clientside.pageQuery, {
    follow: follow,
    gate: gate,
  });
})();
