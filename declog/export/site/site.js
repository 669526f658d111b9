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
    var terms = box.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    var wanted = status ? status.value : "";
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!wanted || row.status === wanted) && terms.every(function (t) { return row.text.indexOf(t) !== -1; });
      if (row.el.hidden === ok) { row.el.hidden = !ok; }  // touch only rows that change: fewer reflows
      if (ok) { shown += 1; }
    });
    sections.forEach(function (section) {
      var visible = section.querySelectorAll("li.rec:not([hidden])").length;
      section.hidden = visible === 0;
      var badge = section.querySelector("h2 .count");
      if (badge) {  // the count follows the filter: "(1 of 14)"
        var total = badge.getAttribute("data-total");
        badge.textContent = "(" + (String(visible) === total ? total : visible + " of " + total) + ")";
      }
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
