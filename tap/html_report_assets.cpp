// The HTML report's style sheet and drawing script, inlined into every report
// so that it opens offline. The script reads the JSON in #tlsdist-data and
// builds the page with DOM calls only: text from the capture goes in through
// textContent and attribute values, never as markup.
namespace tlsdist {

extern const char *const kHtmlReportStyle;
extern const char *const kHtmlReportScript;

const char *const kHtmlReportStyle = R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fff; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 1.5em 0 .5em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; margin: .2em 0; }
code { background: #f3f3f3; padding: 0 .2em; }
dl.totals { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: 0; }
dl.totals dt { font-weight: 600; }
dl.totals dd { margin: 0; }
.note { color: #8a4b00; }
.errors { color: #b00020; font-weight: 600; }
table.sessions { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.sessions th, table.sessions td { padding: .15em .5em; border-bottom: 1px solid #e4e4e4; white-space: nowrap; }
table.sessions th button { font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer; padding: 0; }
table.sessions th[aria-sort=ascending] button::after { content: " \25B2"; }
table.sessions th[aria-sort=descending] button::after { content: " \25BC"; }
table.sessions td.number { text-align: right; }
table.sessions tbody tr { cursor: pointer; }
table.sessions tbody tr:hover { background: #f2f7fc; }
.pager { margin: .5em 0; }
.pager button { margin-right: .5em; }
.cards { display: flex; flex-wrap: wrap; gap: 1em; }
.card { border: 1px solid #ddd; border-radius: 4px; padding: .5em; }
.card:target { outline: 2px solid #1f77b4; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .axis { stroke: #555; stroke-width: 1; }
svg .uniform { stroke: #222; stroke-dasharray: 4 3; stroke-width: 1; }
svg .tx { fill: #1f77b4; }
svg .rx { fill: #e6750f; }
#charts figure { display: inline-block; vertical-align: top; margin: 0 1.5em 1em 0; }
figcaption { font-weight: 600; }
.scroll { overflow-x: auto; }
.legend span { display: inline-block; margin-right: 1em; }
#capture-table td.failure, #capture-status.failure { color: #b00020; white-space: pre-wrap; min-width: 30em; }
#view-choice { position: sticky; top: 0; z-index: 1; background: #fff; padding: .4em 0; border-bottom: 1px solid #ccc; }
#view-choice button { margin-left: .5em; }
#capture-list > summary { cursor: pointer; margin-bottom: .5em; }
#capture-table tr[aria-current] { background: #e8f0fb; }
.legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: middle; }
)CSS";

const char *const kHtmlReportScript = R"JS(
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("tlsdist-data").textContent);
  var report = document.getElementById("report");
  var SVG = "http://www.w3.org/2000/svg";
  var PAGE_SIZE = 50;
  var VERSION_COLOURS = ["#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                         "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e"];

  // Session rows as written by tlsdist (html_report.cpp, append_session);
  // in a dataset's report, the index of the session's capture comes last.
  var S = { stream: 0, epoch: 1, start: 2, duration: 3, client: 4, server: 5, version: 6,
            sni: 7, txBytes: 8, rxBytes: 9, txFrames: 10, rxFrames: 11, txEntropy: 12,
            rxEntropy: 13, txCounts: 14, rxCounts: 15, transport: 16, capture: 17 };
  // A dataset's captures (html_report.cpp, append_capture): figures holds
  // the capture's charts (as data.versions, data.by_server...) and starts.
  var C = { name: 0, failure: 1, totals: 2, txBytes: 3, rxBytes: 4, figures: 5 };
  var T = { frames: 0, tlsFrames: 1, sessions: 2, first: 3, firstText: 4, last: 5, lastText: 6 };
  var dataset = Array.isArray(data.captures);
  // A session's name: its tcp.stream, or "udp N" for DTLS (udp.stream N);
  // in a dataset, its id starts with its capture's index ("c2-udp-5").
  function sessionLabel(s) {
    return s[S.transport] === "udp" ? "udp " + s[S.stream] : String(s[S.stream]);
  }
  function sessionId(s) {
    var id = s[S.transport] === "udp" ? "udp-" + s[S.stream] : String(s[S.stream]);
    return dataset ? "c" + s[S.capture] + "-" + id : id;
  }
  function captureName(s) { return dataset ? data.captures[s[S.capture]][C.name] : ""; }
  // "capture: " before a session's name in a dataset
  function capturePrefix(s) { return dataset ? captureName(s) + ": " : ""; }
  // Sessions in the order tlsdist lists them: by capture, then stream.
  function position(a, b) {
    return (dataset ? a[S.capture] - b[S.capture] : 0) || a[S.stream] - b[S.stream];
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svgElement(tag, attributes, text) {
    var node = document.createElementNS(SVG, tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function grouped(n) { return Number(n).toLocaleString("en-US"); }
  function section(title, id) {
    var node = add(report, element("section", { id: id }));
    add(node, element("h2", {}, title));
    return node;
  }
  // A section emptied for drawing again, under a new title.
  function refill(node, title) {
    node.textContent = "";
    add(node, element("h2", {}, title));
    return node;
  }

  // What the page shows: the whole report (view -1) or, in a dataset's
  // report, one of its captures (its index), chosen at the top of the page.
  var view = -1;
  function viewFigures() {
    if (view < 0) {
      return { name: null, failure: null, totals: data.totals, first: data.first, last: data.last,
               firstText: data.first_text, lastText: data.last_text, versions: data.versions,
               by_server: data.by_server, by_client: data.by_client, by_port: data.by_port,
               starts: null, sessions: data.sessions };
    }
    var capture = data.captures[view], t = capture[C.totals], f = capture[C.figures];
    var timed = t !== null && t[T.first] !== null;
    return { name: capture[C.name], failure: capture[C.failure],
             totals: t === null ? null : { frames: t[T.frames], tls_frames: t[T.tlsFrames],
               sessions: t[T.sessions], tx_bytes: capture[C.txBytes], rx_bytes: capture[C.rxBytes] },
             first: timed ? t[T.first] : null, last: timed ? t[T.last] : null,
             firstText: timed ? t[T.firstText] : "", lastText: timed ? t[T.lastText] : "",
             versions: f.versions, by_server: f.by_server, by_client: f.by_client, by_port: f.by_port,
             starts: f.starts,
             sessions: data.sessions.filter(function (s) { return s[S.capture] === view; }) };
  }
  // A capture's status as the captures table and its summary give it.
  function statusText(capture) {
    return capture[C.failure] === null ? "read"
      : (capture[C.totals] === null ? "could not be read: " : "read in part: ") + capture[C.failure];
  }
  var UNREAD = "Nothing to show: this capture could not be read.";

  var versionColour = {};
  data.versions.bars.forEach(function (bar, i) {
    versionColour[bar[0]] = VERSION_COLOURS[i % VERSION_COLOURS.length];
  });

  function drawSummary(v) {
    var node = refill(summarySection, v.name === null ? "Summary" : "Summary of " + v.name);
    var list = add(node, element("dl", { "class": "totals" }));
    if (dataset && view < 0) {
      add(list, element("dt", {}, "Captures"));
      add(list, element("dd", {}, grouped(data.totals.captures) + (data.totals.failed === 0 ? ""
        : " (" + grouped(data.totals.failed) + " could not be read fully)")));
    }
    if (view >= 0) {
      add(list, element("dt", {}, "Status"));
      add(list, element("dd", v.failure === null ? { id: "capture-status" }
        : { id: "capture-status", "class": "failure" }, statusText(data.captures[view])));
    }
    if (v.totals === null) return;
    var span = v.first === null ? "no frames"
      : v.firstText + " to " + v.lastText + " (" +
        (v.last - v.first).toFixed(3) + " s)";
    [["Time span (UTC)", span],
     ["Packets", grouped(v.totals.frames)],
     ["TLS packets", grouped(v.totals.tls_frames)],
     ["TLS sessions", grouped(v.totals.sessions)],
     ["TLS bytes", grouped(v.totals.tx_bytes + v.totals.rx_bytes) + " (TX " +
       grouped(v.totals.tx_bytes) + ", RX " + grouped(v.totals.rx_bytes) + ")"]
    ].forEach(function (item) {
      add(list, element("dt", {}, item[0]));
      add(list, element("dd", {}, item[1]));
    });
    add(list, element("dt", {}, "TLS versions"));
    var mix = add(list, element("dd", { "class": "legend", id: "version-mix" }));
    v.versions.bars.forEach(function (bar) {
      var item = add(mix, element("span", {}));
      add(item, element("i", { style: "background:" + versionColour[bar[0]] }));
      add(item, document.createTextNode(bar[0] + ": " + grouped(bar[2]) + " session" +
        (bar[2] === 1 ? "" : "s") + ", " + grouped(bar[1]) + " bytes"));
    });
    if (view >= 0 && v.sessions.length < v.totals.sessions) {
      add(node, element("p", { "class": "note", id: "session-limit" },
        "The table and histograms show " + grouped(v.sessions.length) + " of this capture's " +
        grouped(v.totals.sessions) + " sessions: those among the " + grouped(data.sessions.length) +
        " of the dataset with the most TLS bytes; its figures and charts count every one of its sessions."));
    } else if (view < 0 && data.sessions.length < data.totals.sessions) {
      add(node, element("p", { "class": "note", id: "session-limit" },
        "The table and histograms show the " + grouped(data.sessions.length) +
        " sessions with the most TLS bytes out of " + grouped(data.totals.sessions) +
        "; the totals and charts count every session, and the session CSV " +
        (dataset ? "(tlsdist --each ... -o OUT.csv)" : "(tlsdist FILE -o OUT.csv)") + " lists them all."));
    }
  }

  // A dataset's captures, one row each: their totals, version mix, and why
  // those that could not be read (fully) failed; a capture's name shows its
  // own figures (#capture-N). Folded away while one capture is shown.
  var captureList, captureRows = [];
  function drawCaptures() {
    var node = section("Captures", "captures");
    captureList = add(node, element("details", { id: "capture-list", open: "" }));
    add(captureList, element("summary", {}, grouped(data.captures.length) + " captures: click a name to see " +
      "that capture's own summary, charts and sessions"));
    var scroller = add(captureList, element("div", { "class": "scroll" }));
    var table = add(scroller, element("table", { "class": "sessions", id: "capture-table" }));
    var headRow = add(add(table, element("thead", {})), element("tr", {}));
    ["Capture", "Packets", "TLS packets", "TLS sessions", "TX bytes", "RX bytes", "First packet (UTC)",
     "Last packet (UTC)", "TLS versions", "Status"].forEach(function (title) {
      add(headRow, element("th", { scope: "col" }, title));
    });
    var body = add(table, element("tbody", {}));
    data.captures.forEach(function (capture, index) {
      var tr = add(body, element("tr", { "data-capture": index,
        "class": capture[C.failure] === null ? "read" : "failed" }));
      captureRows.push(tr);
      var totals = capture[C.totals];
      function cell(text, number) {
        return add(tr, element("td", number ? { "class": "number" } : {}, text));
      }
      var link = add(add(tr, element("td", {})), element("a", { href: "#capture-" + index }, capture[C.name]));
      // (also when the address already ends with #capture-N: no hashchange then)
      link.addEventListener("click", function () { show(index); summarySection.scrollIntoView(); });
      if (totals === null) {
        for (var i = 0; i < 8; ++i) cell("-");  // (the figures and the versions)
      } else {
        cell(grouped(totals[T.frames]), true);
        cell(grouped(totals[T.tlsFrames]), true);
        cell(grouped(totals[T.sessions]), true);
        cell(grouped(capture[C.txBytes]), true);
        cell(grouped(capture[C.rxBytes]), true);
        cell(totals[T.first] === null ? "-" : totals[T.firstText]);
        cell(totals[T.last] === null ? "-" : totals[T.lastText]);
        cell(capture[C.figures].versions.bars.map(function (v) { return v[0] + ": " + grouped(v[2]); }).join(", "));
      }
      var status = cell(statusText(capture));
      if (capture[C.failure] !== null) status.className = "failure";
    });
  }

  // A horizontal bar chart of TLS bytes per label.
  function drawBars(parent, title, chart, id) {
    var box = add(parent, element("figure", { id: id }));
    add(box, element("figcaption", {}, title));
    var rows = chart.bars.slice();
    if (chart.others[1] > 0) rows.push(["(" + grouped(chart.others[1]) + " more sessions)",
                                         chart.others[0], chart.others[1]]);
    if (rows.length === 0) { add(box, element("p", {}, "No TLS sessions.")); return; }
    var labelWidth = 180, barWidth = 280, rowHeight = 18;
    var width = labelWidth + barWidth + 120, height = rows.length * rowHeight + 24;
    var max = Math.max.apply(null, rows.map(function (r) { return r[1]; })) || 1;
    var chartSvg = add(box, svgElement("svg", { width: width, height: height, role: "img" }));
    rows.forEach(function (row, i) {
      var y = i * rowHeight;
      add(chartSvg, svgElement("text", { x: labelWidth - 6, y: y + 13, "text-anchor": "end" },
                               row[0]));
      var bar = add(chartSvg, svgElement("rect", { "class": "tx bar", x: labelWidth, y: y + 2,
        width: barWidth * row[1] / max, height: rowHeight - 4 }));
      add(bar, svgElement("title", {}, row[0] + ": " + grouped(row[1]) + " bytes in " +
                          grouped(row[2]) + " session" + (row[2] === 1 ? "" : "s")));
      add(chartSvg, svgElement("text", { x: labelWidth + barWidth * row[1] / max + 4, y: y + 13 },
                               grouped(row[1])));
    });
    add(chartSvg, svgElement("text", { x: labelWidth + barWidth / 2, y: height - 4,
                                       "text-anchor": "middle" }, "TLS bytes (TX + RX)"));
  }

  function drawCharts(v) {
    var node = refill(chartsSection, "TLS bytes by server, client and server port");
    if (v.totals === null) { add(node, element("p", {}, UNREAD)); return; }
    drawBars(node, "By server (ip:port)", v.by_server, "by-server");
    drawBars(node, "By client (ip)", v.by_client, "by-client");
    drawBars(node, "By server port", v.by_port, "by-port");
  }

  // Time axis ticks under a plot: seconds since its origin, or dates.
  function drawTimeAxis(svg, left, plotWidth, axisY, origin, span, dated, caption) {
    function utcMinute(epoch) { return new Date(epoch * 1000).toISOString().slice(0, 16).replace("T", " "); }
    add(svg, svgElement("line", { "class": "axis", x1: left, x2: left + plotWidth,
                                  y1: axisY, y2: axisY }));
    for (var t = 0; t <= 4; ++t) {
      var x = left + plotWidth * t / 4;
      add(svg, svgElement("line", { "class": "axis", x1: x, x2: x, y1: axisY, y2: axisY + 4 }));
      add(svg, svgElement("text", { x: x, y: axisY + 16, "text-anchor": dated && t === 4 ? "end" : "middle" },
                          dated ? utcMinute(origin + span * t / 4) : (span * t / 4).toFixed(span < 10 ? 3 : 1)));
    }
    add(svg, svgElement("text", { x: left + plotWidth / 2, y: axisY + 32,
      "text-anchor": "middle" }, dated ? "time (UTC)" : caption));
  }

  // A capture's sessions started in each equal part of its time (every
  // session of it, also those the table leaves out), as columns.
  function drawStarts(parent, v) {
    var starts = v.starts, parts = starts.length;
    var left = 60, plotWidth = 760, top = 10, plotHeight = 120;
    var most = Math.max.apply(null, starts) || 1;
    var span = v.last - v.first;
    var chart = add(parent, svgElement("svg", { id: "session-starts", width: left + plotWidth + 20,
      height: top + plotHeight + 40, role: "img" }));
    starts.forEach(function (count, i) {
      var height = plotHeight * count / most;
      var bar = add(chart, svgElement("rect", { "class": "tx bar", x: left + plotWidth * i / parts,
        y: top + plotHeight - height, width: plotWidth / parts, height: height }));
      add(bar, svgElement("title", {}, (span * i / parts).toFixed(3) + "\u2013" + (span * (i + 1) / parts).toFixed(3) +
        " s: " + grouped(count) + " session" + (count === 1 ? "" : "s") + " started"));
    });
    add(chart, svgElement("line", { "class": "axis", x1: left, x2: left, y1: top, y2: top + plotHeight }));
    add(chart, svgElement("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, grouped(most)));
    add(chart, svgElement("text", { x: left - 4, y: top + plotHeight, "text-anchor": "end" }, "0"));
    drawTimeAxis(chart, left, plotWidth, top + plotHeight, v.first, span > 0 ? span : 0, span >= 86400,
                 "seconds since the capture's first packet");
  }

  // Each session as a line from its start to its end, one row per session in
  // start order, coloured by version; for one capture of a dataset, first
  // the sessions started over time.
  function drawTimeline(v) {
    var node = refill(timelineSection, "Sessions over time");
    if (v.totals === null) { add(node, element("p", {}, UNREAD)); return; }
    if (view >= 0 && v.starts.length > 0) {
      add(node, element("h3", {}, "Sessions started in each " + v.starts.length + "th of the capture's time" +
        " (all " + grouped(v.totals.sessions) + ")"));
      drawStarts(node, v);
      add(node, element("h3", {}, "Each session from start to end (" +
        (v.sessions.length === v.totals.sessions ? "all " + grouped(v.sessions.length)
          : grouped(v.sessions.length) + " in the table") + ")"));
    }
    var sessions = v.sessions.slice().sort(function (a, b) {
      return a[S.epoch] - b[S.epoch] || position(a, b);
    });
    if (sessions.length === 0) {
      add(node, element("p", {}, view >= 0 && v.totals.sessions > 0
        ? "None of this capture's sessions is among those the table keeps." : "No TLS sessions."));
      return;
    }
    var legend = add(node, element("p", { "class": "legend" }));
    v.versions.bars.forEach(function (bar) {
      var item = add(legend, element("span", {}));
      add(item, element("i", { style: "background:" + versionColour[bar[0]] }));
      add(item, document.createTextNode(bar[0]));
    });
    var left = 60, plotWidth = 760, top = 10;
    var rowHeight = Math.max(0.5, Math.min(8, 400 / sessions.length));
    var plotHeight = rowHeight * sessions.length;
    var origin = v.first === null ? sessions[0][S.epoch] : v.first;
    var end = origin;
    sessions.forEach(function (s) { end = Math.max(end, s[S.epoch] + s[S.duration]); });
    var span = end - origin > 0 ? end - origin : 1;
    // A dataset's captures may be days or years apart: its axis gives dates.
    var dated = dataset && span >= 86400;
    var timeline = add(node, svgElement("svg", { width: left + plotWidth + 20,
      height: top + plotHeight + 40, role: "img" }));
    sessions.forEach(function (s, i) {
      var x = left + plotWidth * (s[S.epoch] - origin) / span;
      var line = add(timeline, svgElement("rect", { x: x, y: top + i * rowHeight,
        width: Math.max(1, plotWidth * s[S.duration] / span),
        height: Math.max(0.5, rowHeight * 0.8), fill: versionColour[s[S.version]] || "#999",
        "data-stream": sessionId(s) }));
      add(line, svgElement("title", {}, capturePrefix(s) + "stream " + sessionLabel(s) + ": " + s[S.client] + " \u2192 " +
        s[S.server] + ", " + s[S.version] + ", " + s[S.duration].toFixed(3) + " s"));
    });
    drawTimeAxis(timeline, left, plotWidth, top + plotHeight + 4, origin, span, dated,
                 view >= 0 ? "seconds since the capture's first packet" : "seconds since the first packet");
    add(timeline, svgElement("text", { x: 4, y: top + 10 }, "sessions"));
  }

  var columns = [
    { title: "Stream", key: S.stream, number: true,
      show: function (v, session) { return sessionLabel(session); } },
    { title: "Start (UTC)", key: S.start },
    { title: "Duration (s)", key: S.duration, number: true,
      show: function (v) { return v.toFixed(3); } },
    { title: "Client", key: S.client },
    { title: "Server", key: S.server },
    { title: "Version", key: S.version },
    { title: "Server name", key: S.sni },
    { title: "TX bytes", key: S.txBytes, number: true, show: grouped },
    { title: "RX bytes", key: S.rxBytes, number: true, show: grouped },
    { title: "TX frames", key: S.txFrames, number: true, show: grouped },
    { title: "RX frames", key: S.rxFrames, number: true, show: grouped },
    { title: "TX entropy", key: S.txEntropy, number: true, show: entropyText },
    { title: "RX entropy", key: S.rxEntropy, number: true, show: entropyText }
  ];
  function entropyText(v) { return v === null ? "-" : v.toFixed(3); }
  if (dataset) {
    columns.unshift({ title: "Capture", key: S.capture,
                      show: function (v, session) { return captureName(session); } });
  }

  var order = data.sessions.slice();
  var sortColumn = 0, sortDescending = false, page = 0;
  var tableBody, headers = [], pageText, previousButton, nextButton, cards;

  function compare(a, b, column) {
    var x = a[column.key], y = b[column.key];
    if (column.key === S.capture) return x - y;  // (captures in their order)
    if (column.number) {
      // Sessions without a figure (null) sort below every number.
      if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
      return x - y;
    }
    return String(x).localeCompare(String(y), "en", { numeric: true });
  }
  function sortBy(index, descending) {
    sortColumn = index;
    sortDescending = descending;
    var column = columns[index];
    order.sort(function (a, b) {
      var c = compare(a, b, column);
      if (descending) c = -c;
      return c || position(a, b);
    });
    headers.forEach(function (th, i) {
      if (i === index) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
    page = 0;
    drawPage();
  }

  function drawTable() {
    var node = section("Sessions", "sessions");
    add(node, element("p", {}, "Click a column title to sort; click a session for its byte " +
                              "distributions below the table."));
    var scroller = add(node, element("div", { "class": "scroll" }));
    var table = add(scroller, element("table", { "class": "sessions", id: "session-table" }));
    var headRow = add(add(table, element("thead", {})), element("tr", {}));
    columns.forEach(function (column, i) {
      var th = add(headRow, element("th", { scope: "col" }));
      var button = add(th, element("button", { type: "button", "data-column": i }, column.title));
      button.addEventListener("click", function () {
        sortBy(i, sortColumn === i ? !sortDescending : column.number);
      });
      headers.push(th);
    });
    tableBody = add(table, element("tbody", {}));
    var pager = add(node, element("div", { "class": "pager" }));
    previousButton = add(pager, element("button", { type: "button", id: "page-previous" },
                                        "Previous"));
    nextButton = add(pager, element("button", { type: "button", id: "page-next" }, "Next"));
    pageText = add(pager, element("span", { id: "page-text" }));
    previousButton.addEventListener("click", function () { if (page > 0) { --page; drawPage(); } });
    nextButton.addEventListener("click", function () {
      if ((page + 1) * PAGE_SIZE < order.length) { ++page; drawPage(); }
    });
    var histograms = section("Byte distributions of the sessions on this page", "histograms");
    add(histograms, element("p", {}, "Counts of each byte value 0..255 in the session's TLS " +
      "bytes, client to server (TX) and server to client (RX); the dashed line is what a " +
      "uniform distribution of the same bytes would give."));
    cards = add(histograms, element("div", { "class": "cards" }));
  }

  function drawHistogram(parent, session, direction) {
    var counts = session[direction === "tx" ? S.txCounts : S.rxCounts];
    var entropy = session[direction === "tx" ? S.txEntropy : S.rxEntropy];
    var total = 0, max = 0;
    counts.forEach(function (c) { total += c; if (c > max) max = c; });
    var left = 56, top = 8, plotWidth = 512, plotHeight = 110;
    var chart = add(parent, svgElement("svg", { "class": "histogram", width: left + plotWidth + 12,
      height: top + plotHeight + 48, role: "img", "data-stream": sessionId(session),
      "data-direction": direction }));
    var scale = max > 0 ? plotHeight / max : 0;
    var barWidth = plotWidth / 256;
    for (var value = 0; value < 256; ++value) {
      var height = counts[value] * scale;
      add(chart, svgElement("rect", { "class": direction + " bar", x: left + value * barWidth,
        y: top + plotHeight - height, width: barWidth, height: height }));
    }
    if (total > 0) {
      var uniformY = top + plotHeight - (total / 256) * scale;
      add(chart, svgElement("line", { "class": "uniform", x1: left, x2: left + plotWidth,
                                      y1: uniformY, y2: uniformY }));
    }
    var baseY = top + plotHeight;
    add(chart, svgElement("line", { "class": "axis", x1: left, x2: left + plotWidth,
                                    y1: baseY, y2: baseY }));
    add(chart, svgElement("line", { "class": "axis", x1: left, x2: left, y1: top, y2: baseY }));
    [0, 32, 64, 96, 128, 160, 192, 224, 255].forEach(function (tick) {
      var x = left + (tick + 0.5) * barWidth;
      add(chart, svgElement("line", { "class": "axis", x1: x, x2: x, y1: baseY, y2: baseY + 4 }));
      add(chart, svgElement("text", { x: x, y: baseY + 15, "text-anchor": "middle" }, tick));
    });
    add(chart, svgElement("text", { x: left - 4, y: top + 8, "text-anchor": "end" }, grouped(max)));
    add(chart, svgElement("text", { x: left - 4, y: baseY, "text-anchor": "end" }, "0"));
    add(chart, svgElement("text", { x: 12, y: top + plotHeight / 2, "text-anchor": "middle",
      transform: "rotate(-90 12 " + (top + plotHeight / 2) + ")" }, "count"));
    add(chart, svgElement("text", { x: left + plotWidth / 2, y: baseY + 30, "text-anchor": "middle" },
      (direction === "tx" ? "TX (client \u2192 server): " : "RX (server \u2192 client): ") +
      grouped(total) + " bytes, entropy " +
      (entropy === null ? "-" : entropy.toFixed(3) + " bits/byte") + "; byte value"));
  }

  function drawPage() {
    var pages = Math.max(1, Math.ceil(order.length / PAGE_SIZE));
    var rows = order.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    tableBody.textContent = "";
    cards.textContent = "";
    rows.forEach(function (session) {
      var stream = sessionId(session);
      var tr = add(tableBody, element("tr", { "data-stream": stream }));
      columns.forEach(function (column) {
        var value = session[column.key];
        add(tr, element("td", column.number ? { "class": "number" } : {},
                        column.show ? column.show(value, session) : String(value)));
      });
      tr.addEventListener("click", function () { location.hash = "session-" + stream; });
      var card = add(cards, element("div", { "class": "card", id: "session-" + stream,
                                              "data-stream": stream }));
      add(card, element("h3", {}, capturePrefix(session) + "Stream " + sessionLabel(session) + ": " +
        session[S.client] + " \u2192 " +
        session[S.server] + ", " + session[S.version] +
        (session[S.sni] ? ", " + session[S.sni] : "")));
      drawHistogram(card, session, "tx");
      add(card, element("br", {}));
      drawHistogram(card, session, "rx");
    });
    var capture = view >= 0 ? data.captures[view][C.totals] : null;
    pageText.textContent = order.length === 0 ? (capture !== null && capture[T.sessions] > 0
      ? "None of this capture's " + grouped(capture[T.sessions]) + " sessions is among those the table keeps."
      : "No TLS sessions.")
      : "Sessions " + grouped(page * PAGE_SIZE + 1) + "\u2013" +
        grouped(page * PAGE_SIZE + rows.length) + " of " + grouped(order.length) +
        " (page " + (page + 1) + " of " + pages + ")";
    previousButton.disabled = page === 0;
    nextButton.disabled = page + 1 >= pages;
    document.body.setAttribute("data-rendered", "page-" + (page + 1));
  }

  // A dataset's choice of what the page shows, kept at the top of the
  // window: the whole dataset or one capture, picked from the list, stepped
  // through, or opened from the captures table (#capture-N).
  var choice, previousCapture, nextCapture;
  function drawViewChoice() {
    var nav = add(report, element("nav", { id: "view-choice" }));
    var label = add(nav, element("label", {}, "Show: "));
    choice = add(label, element("select", { id: "capture-filter" }));
    add(choice, element("option", { value: "-1" }, "the whole dataset (" + grouped(data.captures.length) +
                                                     " captures)"));
    data.captures.forEach(function (capture, index) {
      add(choice, element("option", { value: String(index) }, capture[C.name] +
        (capture[C.failure] === null ? "" : capture[C.totals] === null ? " (could not be read)" : " (read in part)")));
    });
    choice.addEventListener("change", function () { show(Number(choice.value)); });
    previousCapture = add(nav, element("button", { type: "button", id: "capture-previous" }, "Previous capture"));
    nextCapture = add(nav, element("button", { type: "button", id: "capture-next" }, "Next capture"));
    previousCapture.addEventListener("click", function () { show(view - 1); });
    nextCapture.addEventListener("click", function () { show(view + 1); });
    window.addEventListener("hashchange", function () {
      var wanted = hashCapture();
      if (wanted !== null && wanted !== view) { show(wanted); summarySection.scrollIntoView(); }
    });
  }
  // The capture #capture-N names (-1 for #dataset), or null.
  function hashCapture() {
    if (location.hash === "#dataset") return -1;
    var match = /^#capture-(\d+)$/.exec(location.hash);
    return match && Number(match[1]) < data.captures.length ? Number(match[1]) : null;
  }
  // Draws the summary, charts, timeline and table of the whole report, or
  // of one capture of a dataset.
  function show(index) {
    view = dataset ? Math.max(-1, Math.min(index, data.captures.length - 1)) : -1;
    var v = viewFigures();
    if (dataset) {
      choice.value = String(view);
      previousCapture.disabled = view < 0;
      nextCapture.disabled = view + 1 >= data.captures.length;
      captureList.open = view < 0;
      captureRows.forEach(function (tr, index) {
        if (index === view) tr.setAttribute("aria-current", "true");
        else tr.removeAttribute("aria-current");
      });
    }
    drawSummary(v);
    drawCharts(v);
    drawTimeline(v);
    order = v.sessions.slice();
    sortBy(sortColumn, sortDescending);
    if (dataset) document.body.setAttribute("data-view", view < 0 ? "dataset" : "capture-" + view);
  }

  if (dataset) drawViewChoice();
  var summarySection = section("Summary", "summary");
  if (dataset) drawCaptures();
  var chartsSection = section("", "charts");
  var timelineSection = section("", "timeline");
  drawTable();
  show(dataset && hashCapture() !== null ? hashCapture() : -1);
  report.appendChild(element("p", {}, "Made by tlsdist from Wireshark's dissection. " +
    "TLS bytes are the TLS records' bytes, each counted once (retransmissions excluded)."));
})();
)JS";

}  // namespace tlsdist
