// The address bar and the language link follow the view (app/callbacks/view.py).
// The server answers each change of the controls with the view's query (query_from_controls);
// this function puts it in the address bar: a new history entry per view, so the browser's
// Back and Forward return to the previous view (dcc.Location hears them and sets the
// controls). The first answer comes from the controls the opening address set: that address
// stays as it was given (a shared link is not rewritten). The language link is the same
// address with the other language.
(function () {
  var opened = false;

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
  });
})();
