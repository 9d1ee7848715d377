// A slider's value settles (app/callbacks/settle.py): the views recompute from the last value
// after a pause, not at each keyboard step. An async clientside callback: it answers with a
// Promise that resolves to the value once no newer one arrived meanwhile, else to no_update.
(function () {
  // Long enough to bridge key repeats and a user's quick presses (~30/s held, a few per second
  // tapped); short enough to feel like "on release".
  var PAUSE_MS = 350;
  var latest = {};
  // A pointer sets a slider's value once, on release (dcc's updatemode "mouseup"): that value
  // has settled already. Only keyboard steps wait for the pause. The last input the page saw
  // tells which one set the value (capture phase: before the slider's own handlers).
  var lastInput = "";
  ["keydown", "pointerup", "mouseup", "touchend"].forEach(function (type) {
    document.addEventListener(type, function () { lastInput = type; }, true);
  });

  function settle(value, settled, id) {
    var noUpdate = window.dash_clientside.no_update;
    // Each call is a new pending value; any earlier one still waiting is now stale.
    var mine = {};
    latest[id] = mine;
    // Already there (a URL, Reset or a new cohort set both): nothing to wait for.
    if (JSON.stringify(value) === JSON.stringify(settled)) return noUpdate;
    if (lastInput !== "keydown") return value;
    return new Promise(function (resolve) {
      window.setTimeout(function () {
        resolve(latest[id] === mine ? value : window.dash_clientside.no_update);
      }, PAUSE_MS);
    });
  }

  // Reset drops values still waiting: one settling during Reset's round trip would land after
  // it (Dash then drops Reset's answer as superseded) and bring the old value back.
  document.addEventListener(
    "click",
    function (event) {
      if (event.target.closest && event.target.closest("#filter-reset")) latest = {};
    },
    true
  );

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.controls = Object.assign({}, window.dash_clientside.controls, {
    settle: settle,
  });
})();
