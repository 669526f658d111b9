"""The stylesheet and the script of ``declog export html``, kept as Python strings so that an
installed declog carries them without package data. No fonts, images or libraries from
anywhere else: the site must work offline, opened straight from disk."""

from __future__ import annotations

STYLE = """\
:root { color-scheme: light; --fg: #1d232a; --muted: #5c6670; --line: #d5dbe1; --bg: #ffffff;
  --accent: #1f5fa8; --soft: #f3f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); }
header { background: #1d232a; padding: .6rem 1.2rem; }
header nav a { color: #e8edf2; margin-right: 1.2rem; text-decoration: none; font-weight: 600; }
header nav a[aria-current="page"] { color: #ffffff; border-bottom: 2px solid #7fb3ec; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1rem; }
a { color: var(--accent); }
h1 { font-size: 1.6rem; margin: .6rem 0; }
h2 { font-size: 1.2rem; margin-top: 1.8rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
[hidden] { display: none !important; }
.search { position: sticky; top: 0; background: var(--bg); padding: .6rem 0; border-bottom: 1px solid var(--line);
  display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.search input { flex: 1 1 20rem; font-size: 1rem; padding: .4rem .6rem; border: 1px solid var(--line);
  border-radius: 4px; }
.search select { font-size: 1rem; padding: .3rem; }
#count { color: var(--muted); }
ul.records { list-style: none; padding: 0; margin: 0; }
ul.records li { padding: .35rem 0; border-bottom: 1px solid var(--soft); }
.rid { font-family: ui-monospace, Menlo, Consolas, monospace; margin-right: .4rem; }
.title { font-weight: 600; text-decoration: none; color: var(--fg); }
.owner, .date, .why, .path, .kind, .note, .legend { color: var(--muted); }
.owner, .date { margin-left: .5rem; font-size: .9rem; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .45rem; border-radius: 9px; background: var(--soft);
  border: 1px solid var(--line); margin-left: .3rem; vertical-align: middle; }
.status-accepted, .status-active { background: #e3f4e6; border-color: #9bd1a6; }
.status-proposed, .status-piloting { background: #fff5d9; border-color: #e8cf7c; }
.status-superseded, .status-deprecated, .status-retired { background: #eceff2; border-color: #c3cad1; }
.status-rejected { background: #fbe4e4; border-color: #e5a3a3; }
.empty { color: var(--muted); font-style: italic; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.fields dt { font-weight: 600; color: var(--muted); }
dl.fields dd { margin: 0; }
dl.fields dd dl { margin: 0; padding-left: .6rem; border-left: 2px solid var(--soft); }
dl.fields dd dl dt { font-weight: 600; }
dl.fields dd dl dd { margin-left: 0; margin-bottom: .3rem; }
dd ul { margin: 0; padding-left: 1.2rem; }
.prose { white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
td.date { white-space: nowrap; }
td ul { margin: .2rem 0; padding-left: 1.1rem; }
.subject { color: var(--muted); }
ol.chain li.this { font-weight: 600; }
.graph-box { overflow: auto; border: 1px solid var(--line); border-radius: 6px; background: #fbfcfd; }
svg.graph text { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg.graph .node-id { font-family: ui-monospace, Menlo, Consolas, monospace; fill: var(--muted); }
svg.graph .node-title { font-weight: 600; }
svg.graph rect.node { fill: #ffffff; stroke: #8a96a3; stroke-width: 1.2; }
svg.graph rect.status-accepted { fill: #e3f4e6; stroke: #5fae6f; }
svg.graph rect.status-proposed { fill: #fff5d9; stroke: #c9a838; }
svg.graph rect.status-superseded, svg.graph rect.status-deprecated { fill: #eceff2; stroke: #98a2ad; }
svg.graph rect.status-rejected { fill: #fbe4e4; stroke: #c46a6a; }
svg.graph a.node:hover rect { stroke: var(--accent); stroke-width: 2.5; }
svg.graph .edge { fill: none; stroke-width: 1.6; }
svg.graph .edge.supersedes { stroke: #44505c; }
svg.graph .edge.related { stroke: #7fb3ec; stroke-dasharray: 5 4; }
svg.graph .arrowhead { fill: #44505c; }
.key { display: inline-block; width: 2rem; height: 0; vertical-align: middle; margin: 0 .3rem 0 1rem; }
.key.supersedes { border-top: 2px solid #44505c; }
.key.related { border-top: 2px dashed #7fb3ec; }
figure.metric { display: inline-block; margin: .5rem 1rem .5rem 0; }
figure.metric figcaption { color: var(--muted); font-size: .9rem; }
svg.chart { background: #fbfcfd; border: 1px solid var(--line); border-radius: 4px; }
svg.chart .axis { stroke: #8a96a3; stroke-width: 1; }
svg.chart .tick { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg.chart .series { fill: none; stroke: var(--accent); stroke-width: 2; }
svg.chart .point { fill: var(--accent); }
svg.chart .target { stroke: #c0392b; stroke-width: 1.4; stroke-dasharray: 6 4; }
svg.chart .target-label { font: 11px system-ui, sans-serif; fill: #c0392b; }
@media print { header, .search, footer { display: none; } }
"""

SCRIPT = """\
/* declog export html: instant search and status filter over window.DECLOG_INDEX. */
(function () {
  "use strict";
  var box = document.getElementById("q");
  var index = window.DECLOG_INDEX;
  if (!box || !index) { return; }
  var status = document.getElementById("status");
  var count = document.getElementById("count");
  var nothing = document.getElementById("nothing");
  var rows = [];
  index.forEach(function (entry) {
    var el = document.getElementById("r-" + entry.id);
    if (el) { rows.push({ el: el, text: entry.text, status: entry.status }); }
  });
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.kind"));

  function apply() {
    var terms = box.value.toLowerCase().split(/\\s+/).filter(function (t) { return t.length > 0; });
    var wanted = status ? status.value : "";
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!wanted || row.status === wanted) && terms.every(function (t) { return row.text.indexOf(t) !== -1; });
      if (row.el.hidden === ok) { row.el.hidden = !ok; }  // touch only rows that change: fewer reflows
      if (ok) { shown += 1; }
    });
    sections.forEach(function (section) {
      section.hidden = !section.querySelector("li.rec:not([hidden])");
    });
    count.textContent = shown === rows.length ? rows.length + " records" : shown + " of " + rows.length + " records";
    nothing.hidden = shown !== 0;
    var state = [];
    if (box.value) { state.push("q=" + encodeURIComponent(box.value)); }
    if (wanted) { state.push("status=" + encodeURIComponent(wanted)); }
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", state.length ? "#" + state.join("&") : location.pathname); }
      catch (err) { /* some browsers refuse replaceState on file:// pages */ }
    }
  }

  location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
    var parts = pair.split("=");
    var value = parts.length > 1 ? decodeURIComponent(parts[1]) : "";
    if (parts[0] === "q") { box.value = value; }
    if (parts[0] === "status" && status) { status.value = value; }
  });
  box.addEventListener("input", apply);
  if (status) { status.addEventListener("change", apply); }
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== box) { event.preventDefault(); box.focus(); }
  });
  apply();
})();
"""
