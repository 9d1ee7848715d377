// Figure export for journals: PNG at 300/600 dpi and SVG (fonts embedded), at a single- or
// double-column width, from the "Export figure" menus (components/export/menu.py) of the page
// and of the offline HTML report, which inlines this file.
//
// Why in the browser: plotly.js, which drew the figure, is already here (served locally, and
// inlined in the report), so the export needs no server round trip, no network and nothing
// added to the image. Server-side rendering (kaleido) would need a Chromium in the image
// (~300 MB) and could not run in a report opened from a USB stick. PDF would need another
// library; SVG with its font embedded is the vector format journals take.
//
// How: the figure is laid out again at its print size (components/export/print_spec.py,
// carried by each button as JSON): the width of the journal column, every font set to
// 7-9 pt (clamped from the screen sizes), lines at least 0.5 pt, every axis' margin grown to
// fit its labels. Layout units are screen pixels whose base font becomes basePt: the
// builders' pixel margins, pitches and offsets keep their proportions to the text. The SVG
// is written in mm (width/height) over that layout (viewBox), with Liberation Sans (the
// font that measured the text) embedded as @font-face. The PNG is that SVG drawn at
// mm / 25.4 * dpi pixels, with a pHYs chunk saying the dpi.
(function () {
  "use strict";

  var MM_PER_INCH = 25.4;
  var PT_PER_INCH = 72;
  var SVG_NS = "http://www.w3.org/2000/svg";
  // The assets folder the page loaded this file from (none when inlined in the report).
  var scriptSource = document.currentScript && document.currentScript.src;

  // plotly.js, loaded before any click (the page's asset, the report's inline bundle).
  function plotly() {
    return window.Plotly;
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function clone(value) {
    try {
      return structuredClone(value);
    } catch (error) {
      return JSON.parse(JSON.stringify(value));
    }
  }

  // -- the font: measured in the page, embedded in the file -------------------------------
  var fontLoads = {};

  function base64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  }

  async function fontDataUrl(request) {
    // The report carries the font itself (it must open offline, from anywhere).
    var holder = document.querySelector("[data-export-font]");
    if (holder) return holder.getAttribute("data-export-font");
    var response = await fetch(new URL(request.fontFile, scriptSource).href);
    if (!response.ok) throw new Error("font " + response.status);
    return "data:font/ttf;base64," + base64(new Uint8Array(await response.arrayBuffer()));
  }

  function loadFont(request) {
    if (!fontLoads[request.fontFamily]) {
      fontLoads[request.fontFamily] = fontDataUrl(request).then(async function (url) {
        // plotly.js measures text in the page: with this face loaded it measures the
        // letters the file will show, so no label is laid out for a wider or narrower font.
        var face = new FontFace(request.fontFamily, "url(" + url + ")");
        document.fonts.add(await face.load());
        return url;
      });
      fontLoads[request.fontFamily].catch(function () {
        delete fontLoads[request.fontFamily];
      });
    }
    return fontLoads[request.fontFamily];
  }

  // -- the print layout --------------------------------------------------------------------
  var LINE_WIDTH_KEYS = /^(linewidth|gridwidth|zerolinewidth|tickwidth|borderwidth|thickness)$/;

  function printStyle(node, request, pxPerPt) {
    var minPx = request.minLinePt * pxPerPt;
    function fontSize(size) {
      var pt = clamp(size / pxPerPt, request.minFontPt, request.maxFontPt);
      return pt * pxPerPt;
    }
    function visit(value) {
      if (Array.isArray(value)) {
        value.forEach(visit);
        return;
      }
      if (!value || typeof value !== "object") return;
      Object.keys(value).forEach(function (key) {
        var child = value[key];
        // The template's defaults are overridden by the figure's own font below.
        if (key === "template") return;
        if (/font$/.test(key) && child && typeof child === "object" && !Array.isArray(child)) {
          child.family = request.fontStack;
          if (typeof child.size === "number") child.size = fontSize(child.size);
          else if (Array.isArray(child.size)) child.size = child.size.map(fontSize);
        } else if (key === "line" && child && typeof child.width === "number") {
          if (child.width > 0) child.width = Math.max(child.width, minPx);
        } else if (LINE_WIDTH_KEYS.test(key) && typeof child === "number" && child > 0) {
          value[key] = Math.max(child, minPx);
        }
        visit(child);
      });
    }
    visit(node);
  }

  // Plotly does not wrap text: a title, axis title or legend entry written for a wide screen
  // is broken into lines that fit the print width (at ~0.55 em per character, Arial's
  // average with some room), so none runs off the page or squeezes the plot area.
  var CHAR_EM = 0.55;

  function wrapAt(text, maxChars) {
    // Markup other than line breaks (a coloured row label) is left as the builder wrote it.
    if (typeof text !== "string" || text.length <= maxChars || /<(?!br\s*\/?>)\/?[a-z]/i.test(text)) {
      return text;
    }
    return text
      .split(/<br\s*\/?>/i)
      .map(function (line) {
        var lines = [];
        var current = "";
        // "p = 0.007" and "HR < 1" stay on one line.
        line = line.replace(/ ([=<>≤≥]) /g, "\u00a0$1\u00a0");
        line.split(" ").forEach(function (word) {
          if (current && (current + " " + word).length > maxChars) {
            lines.push(current);
            current = word;
          } else {
            current = current ? current + " " + word : word;
          }
        });
        if (current) lines.push(current);
        return lines.join("<br>");
      })
      .join("<br>");
  }

  function wrap(text, widthPt, fontPt) {
    return wrapAt(text, Math.max(10, Math.floor(widthPt / (CHAR_EM * fontPt))));
  }

  function span(domain) {
    return Array.isArray(domain) ? domain[1] - domain[0] : 1;
  }

  function wrapTexts(data, layout, request, widthPt, heightPt) {
    var title = layout.title;
    if (title && typeof title === "object" && title.text) {
      title.text = wrap(title.text, widthPt * 0.95, request.maxFontPt);
    }
    Object.keys(layout).forEach(function (key) {
      var axis = layout[key];
      var vertical = /^yaxis/.test(key);
      if (!/^[xy]axis\d*$/.test(key) || !axis || !axis.title || !axis.title.text) return;
      var length = (vertical ? heightPt : widthPt) * 0.8 * span(axis.domain);
      axis.title.text = wrap(axis.title.text, length, request.basePt);
    });
    // Row labels of a categorical y axis (forest terms, subgroups) take at most 60 % of
    // the width, so the plot keeps room; the same label wraps the same way in
    // every trace and in the axis' category order.
    var rowLabel = function (label) {
      return wrap(label, widthPt * 0.6, request.basePt);
    };
    data.forEach(function (trace) {
      if ((trace.yaxis || "y") === "y" && Array.isArray(trace.y) && typeof trace.y[0] === "string") {
        trace.y = trace.y.map(rowLabel);
      }
      // Legend entries on one line where they fit the width; text drawn in the plot (hazard
      // ratios beside a forest plot) within about a third of it.
      if (trace.showlegend !== false && typeof trace.name === "string") {
        trace.name = wrap(trace.name, widthPt * 0.8, request.minFontPt);
      }
      if (Array.isArray(trace.text) && /text/.test(trace.mode || "")) {
        trace.text = trace.text.map(function (text) {
          return wrap(text, widthPt * 0.4, request.basePt);
        });
        // Drawn past the plot's edge if need be (the margins then make room), not cut off.
        trace.cliponaxis = false;
      }
    });
    if (layout.yaxis && Array.isArray(layout.yaxis.categoryarray)) {
      layout.yaxis.categoryarray = layout.yaxis.categoryarray.map(rowLabel);
    }
  }

  function printFigure(gd, request) {
    var data = clone(gd.data || []);
    var layout = clone(gd.layout || {});
    layout.font = layout.font || {};
    var screenBasePx = layout.font.size || 12;
    // Layout pixels per point: the figure's base font (13 px on screen) becomes basePt.
    var pxPerPt = screenBasePx / request.basePt;
    var pxPerMm = (pxPerPt * PT_PER_INCH) / MM_PER_INCH;
    var heightMm = request.heightMm;
    if (heightMm == null) {
      // One row per term, subgroup or patient: the screen figure's height per row.
      // (dcc.Graph keeps a figure's height on its element, not in gd.layout.)
      var screenHeight = layout.height || gd.clientHeight || 450;
      heightMm = clamp(screenHeight / pxPerMm, request.minHeightMm, request.maxHeightMm);
    }
    printStyle(layout, request, pxPerPt);
    printStyle(data, request, pxPerPt);
    layout.font.family = request.fontStack;
    layout.font.size = request.basePt * pxPerPt;
    var title = layout.title;
    if (title && typeof title === "object" && title.text) {
      title.font = title.font || {};
      title.font.family = request.fontStack;
      title.font.size = request.maxFontPt * pxPerPt;
    }
    Object.keys(layout).forEach(function (key) {
      // An axis' tick labels and title push the margin rather than fall off the page.
      if (!/^[xy]axis\d*$/.test(key) || !layout[key]) return;
      var axis = layout[key];
      axis.automargin = true;
      // plotly draws an axis title without a size of its own larger than the text (1.2 em).
      if (axis.title && typeof axis.title === "object") {
        axis.title.font = Object.assign(axis.title.font || {}, { family: request.fontStack });
        if (typeof axis.title.font.size !== "number") axis.title.font.size = screenBasePx;
      }
    });
    wrapTexts(data, layout, request, (request.widthMm / MM_PER_INCH) * PT_PER_INCH,
      (heightMm / MM_PER_INCH) * PT_PER_INCH);
    layout.width = request.widthMm * pxPerMm;
    layout.height = heightMm * pxPerMm;
    layout.autosize = false;
    layout.paper_bgcolor = "#ffffff";
    return {
      data: data,
      layout: layout,
      heightMm: heightMm,
      // Rows keep their pitch: the figure grows by what its print title and legend add.
      growsWithTop: request.heightMm == null,
      maxHeightPx: request.maxHeightMm * pxPerMm,
      pxPerMm: pxPerMm,
      basePx: screenBasePx,
      smallPx: request.minFontPt * pxPerPt,
    };
  }

  // -- the top of the figure: title, then the legend, then the plot --------------------------
  // At a column's width a legend inside the plot covers curves and bands, and a title or
  // legend wrapped onto more lines than on screen runs into the plot. So the print figure
  // stacks them: the title at the top, the legend as a horizontal strip under it, the plot
  // under both, with the top margin measured from what plotly drew (a first pass offscreen).
  function placeTop(layout, pad, smallPx) {
    var height = layout.height;
    if (layout.title && typeof layout.title === "object" && layout.title.text) {
      Object.assign(layout.title, {
        xref: "container",
        x: pad / layout.width,
        xanchor: "left",
        yref: "container",
        y: 1 - pad / height,
        yanchor: "top",
        automargin: false,
      });
    }
    if (layout.showlegend !== false) {
      layout.legend = Object.assign(layout.legend || {}, {
        font: Object.assign((layout.legend || {}).font || {}, { size: smallPx }),
        orientation: "h",
        xref: "container",
        x: pad / layout.width,
        xanchor: "left",
        yref: "container",
        y: 1 - pad / height,
        yanchor: "top",
        bgcolor: "rgba(255,255,255,0)",
        borderwidth: 0,
      });
    }
  }

  // A drawn element's box in the figure's pixels (the offscreen figure's own coordinates).
  function box(holder, node) {
    var page = holder.querySelector(".main-svg").getBoundingClientRect();
    var rect = node.getBoundingClientRect();
    return {
      left: rect.left - page.left,
      right: rect.right - page.left,
      top: rect.top - page.top,
      bottom: rect.bottom - page.top,
      width: rect.width,
      height: rect.height,
    };
  }

  async function fitTop(holder, figure, pad) {
    var layout = figure.layout;
    var height = layout.height;
    var title = holder.querySelector(".g-gtitle");
    var titleBlock = 0;
    var titleOffset = null;
    if (title && title.getBBox().height > 0) {
      // plotly anchors a title of several lines by its first: its drawn top is measured and
      // put at the pad.
      var titleBox = box(holder, title);
      titleOffset = titleBox.top - (1 - layout.title.y) * height;
      titleBlock = pad + titleBox.height;
    }
    var legend = layout.showlegend === false ? null : holder.querySelector(".legend");
    var legendHeight = legend ? legend.getBBox().height : 0;
    var top = pad + titleBlock + (legendHeight ? pad + legendHeight : 0) + pad;
    var builderTop = (layout.margin && layout.margin.t) || 0;
    var update = { "margin.t": Math.max(top, builderTop) };
    if (figure.growsWithTop && top > builderTop) {
      height = Math.min(figure.maxHeightPx, height + top - builderTop);
      update.height = height;
    }
    if (titleOffset !== null) update["title.y"] = 1 - (pad - titleOffset) / height;
    if (legendHeight) update["legend.y"] = 1 - (pad + titleBlock) / height;
    await plotly().relayout(holder, update);
  }

  // An axis title longer than its axis drawn at this size (plotly centres it on the axis,
  // which the margins made shorter than assumed) is wrapped again to fit inside the figure.
  async function fitAxisTitles(holder, layout, pad) {
    var update = {};
    holder.querySelectorAll("[class^='g-'][class$='title']").forEach(function (group) {
      var match = /^g-([xy])(\d*)title$/.exec(group.getAttribute("class"));
      if (!match) return;
      var key = match[1] + "axis" + match[2];
      var axis = layout[key];
      if (!axis || !axis.title || !axis.title.text || group.getBBox().width === 0) return;
      var b = box(holder, group);
      var vertical = match[1] === "y";
      var low = vertical ? b.top : b.left;
      var high = vertical ? b.bottom : b.right;
      var size = vertical ? layout.height : layout.width;
      var centre = (low + high) / 2;
      var room = 2 * Math.min(centre - pad, size - pad - centre);
      // No longer than the axis itself (its tick labels' extent), where it has ticks.
      var ticks = Array.prototype.map.call(
        holder.querySelectorAll("text." + match[1] + match[2] + "tick"),
        function (tick) {
          return box(holder, tick);
        }
      );
      if (ticks.length > 1) {
        var from = Math.min.apply(null, ticks.map(function (t) { return vertical ? t.top : t.left; }));
        var to = Math.max.apply(null, ticks.map(function (t) { return vertical ? t.bottom : t.right; }));
        room = Math.min(room, 1.1 * (to - from));
      }
      if (high - low <= room) return;
      var longest = Math.max.apply(
        null,
        axis.title.text.split(/<br\s*\/?>/i).map(function (line) {
          return line.length;
        })
      );
      var maxChars = Math.max(8, Math.floor((longest * room) / (high - low)));
      update[key + ".title.text"] = wrapAt(axis.title.text.replace(/<br\s*\/?>/gi, " "), maxChars);
    });
    if (Object.keys(update).length) await plotly().relayout(holder, update);
  }

  // Whatever text still crosses an edge (a label drawn in the plot beside the last point,
  // an annotation) widens that margin; the plot shrinks, so a few rounds settle it.
  async function fitMargins(holder, layout, pad) {
    for (var round = 0; round < 4; round++) {
      var over = { l: 0, r: 0, t: 0, b: 0 };
      holder.querySelectorAll("text").forEach(function (text) {
        // The title and legend are placed from the figure's edges, not the plot's.
        if (!text.textContent.trim() || text.closest(".legend, .g-gtitle")) return;
        if (text.getBBox().width === 0) return;
        var b = box(holder, text);
        over.l = Math.max(over.l, pad - b.left);
        over.r = Math.max(over.r, b.right - (layout.width - pad));
        over.t = Math.max(over.t, pad - b.top);
        over.b = Math.max(over.b, b.bottom - (layout.height - pad));
      });
      var margin = Object.assign({ l: 80, r: 80, t: 100, b: 80 }, holder.layout.margin);
      var update = {};
      ["l", "r", "t", "b"].forEach(function (side) {
        if (over[side] > 0.5) update["margin." + side] = (margin[side] || 0) + over[side] + 1;
      });
      if (!Object.keys(update).length) return;
      await plotly().relayout(holder, update);
    }
  }

  async function drawnSvg(figure, basePx) {
    var layout = figure.layout;
    var pad = 0.5 * basePx;
    placeTop(layout, pad, figure.smallPx);
    var holder = document.createElement("div");
    // Laid out offscreen, not hidden with display:none: plotly measures text as it draws.
    holder.style.cssText =
      "position:absolute;left:-100000px;top:0;visibility:hidden;" +
      ("width:" + layout.width + "px;height:" + layout.height + "px");
    document.body.appendChild(holder);
    try {
      await plotly().newPlot(holder, figure.data, layout, { staticPlot: true });
      await fitTop(holder, figure, pad);
      await fitAxisTitles(holder, holder.layout, pad);
      await fitMargins(holder, holder.layout, pad);
      var size = { width: holder.layout.width, height: holder.layout.height };
      var url = await plotly().toImage(holder, { format: "svg", width: size.width, height: size.height });
      return { url: url, width: size.width, height: size.height };
    } finally {
      plotly().purge(holder);
      holder.remove();
    }
  }

  // -- the files ---------------------------------------------------------------------------
  function number(value) {
    return String(Math.round(value * 1000) / 1000);
  }

  async function figureSvg(gd, request) {
    var fontUrl = await loadFont(request);
    var figure = printFigure(gd, request);
    var drawn = await drawnSvg(figure, figure.basePx);
    var width = drawn.width;
    var height = drawn.height;
    var heightMm = height / figure.pxPerMm;
    var source = decodeURIComponent(drawn.url.slice(drawn.url.indexOf(",") + 1));
    var doc = new DOMParser().parseFromString(source, "image/svg+xml");
    var svg = doc.documentElement;
    svg.setAttribute("viewBox", "0 0 " + number(width) + " " + number(height));
    svg.setAttribute("width", number(request.widthMm) + "mm");
    svg.setAttribute("height", number(heightMm) + "mm");
    var style = doc.createElementNS(SVG_NS, "style");
    style.textContent =
      "@font-face{font-family:'" + request.fontFamily + "';src:url(" + fontUrl + ") format('truetype');}";
    svg.insertBefore(style, svg.firstChild);
    return { doc: doc, heightMm: heightMm };
  }

  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  // The PNG with a pHYs chunk (pixels per metre) right after IHDR, so the file says its dpi
  // (PNG spec 11.3.5.3); the canvas writes none.
  function withDpi(png, dpi) {
    var perMetre = Math.round(dpi / (MM_PER_INCH / 1000));
    var chunk = new Uint8Array(21);
    var view = new DataView(chunk.buffer);
    view.setUint32(0, 9);
    chunk.set([0x70, 0x48, 0x59, 0x73], 4); // "pHYs"
    view.setUint32(8, perMetre);
    view.setUint32(12, perMetre);
    chunk[16] = 1; // unit: metre
    view.setUint32(17, crc32(chunk.subarray(4, 17)));
    var parts = [png.subarray(0, 33), chunk];
    var source = new DataView(png.buffer, png.byteOffset, png.byteLength);
    for (var at = 33; at < png.length; ) {
      var end = at + 12 + source.getUint32(at);
      var type = String.fromCharCode(png[at + 4], png[at + 5], png[at + 6], png[at + 7]);
      if (type !== "pHYs") parts.push(png.subarray(at, end));
      at = end;
    }
    return new Blob(parts, { type: "image/png" });
  }

  async function exportFigure(gd, request) {
    var made = await figureSvg(gd, request);
    var svg = made.doc.documentElement;
    if (request.format === "svg") {
      var text = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
      return new Blob([text], { type: "image/svg+xml" });
    }
    var width = Math.round((request.widthMm / MM_PER_INCH) * request.dpi);
    var height = Math.round((made.heightMm / MM_PER_INCH) * request.dpi);
    // Drawn at its pixel size (not scaled up from a smaller raster): crisp at any dpi.
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    var image = new Image();
    await new Promise(function (resolve, reject) {
      image.onload = resolve;
      image.onerror = function () {
        reject(new Error("the figure could not be drawn"));
      };
      image.src =
        "data:image/svg+xml;charset=utf-8," +
        encodeURIComponent(new XMLSerializer().serializeToString(svg));
    });
    var canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    var context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    context.drawImage(image, 0, 0, width, height);
    var blob = await new Promise(function (resolve) {
      canvas.toBlob(resolve, "image/png");
    });
    if (!blob) throw new Error("the image is too large for this browser");
    return withDpi(new Uint8Array(await blob.arrayBuffer()), request.dpi);
  }

  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 60000);
  }

  function graphOf(menu) {
    var holder = document.getElementById(menu.getAttribute("data-export-graph"));
    if (!holder) return null;
    return holder.classList.contains("js-plotly-plot")
      ? holder
      : holder.querySelector(".js-plotly-plot");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-export]");
    var menu = button && button.closest("[data-export-graph]");
    if (!menu) return;
    var request = JSON.parse(button.getAttribute("data-export"));
    var status = menu.querySelector(".export-status");
    function say(attribute) {
      if (status) status.textContent = menu.getAttribute(attribute).replace("{file}", request.fileName);
    }
    var gd = graphOf(menu);
    if (!gd || !window.Plotly) {
      say("data-msg-failed");
      return;
    }
    button.disabled = true;
    menu.setAttribute("aria-busy", "true");
    say("data-msg-working");
    exportFigure(gd, request)
      .then(function (blob) {
        save(blob, request.fileName);
        say("data-msg-done");
      })
      .catch(function (error) {
        console.warn("figure export failed:", error && error.message);
        say("data-msg-failed");
      })
      .finally(function () {
        button.disabled = false;
        menu.removeAttribute("aria-busy");
      });
  });

  window.nmosdFigureExport = { printFigure: printFigure, exportFigure: exportFigure };
})();
