// Lazy tab layouts (app/layout/lazy.py): a part's content, kept as data in a store, becomes
// its container's children the first time its tab is shown; afterwards it stays as built.
(function () {
  function build(hidden, content, built) {
    if (hidden || built || !content) return window.dash_clientside.no_update;
    return content;
  }
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.lazy = Object.assign({}, window.dash_clientside.lazy, { build: build });
})();
