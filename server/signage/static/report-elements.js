/* The supervisor's report: the average (1-4) of each of the nine SKM elements per group and for
 * the hall, from the same GET /api/reports the page shows (its `ikm.elements`). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var table = document.getElementById("report-elements");
  if (!form || !table) { return; }
  var lang = document.documentElement.lang === "en" ? "en" : "id";

  function el(tag, text) {
    var node = document.createElement(tag);
    node.textContent = text;
    return node;
  }

  function value(v) {
    return v === null || v === undefined ? "–" : Number(v).toFixed(2);
  }

  function line(row, tag) {
    var tr = document.createElement("tr");
    tr.appendChild(el(tag, row.name));
    var elements = (row.ikm && row.ikm.elements) || [];
    for (var i = 0; i < 9; i += 1) { tr.appendChild(el(tag, value(elements[i]))); }
    return tr;
  }

  function render(report) {
    var head = document.createElement("tr");
    head.appendChild(el("th", lang === "en" ? "Group" : "Kelompok"));
    for (var i = 1; i <= 9; i += 1) { head.appendChild(el("th", "U" + i)); }
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren.apply(table.tBodies[0],
      report.rows.map(function (r) { return line(r, "td"); }));
    table.tFoot.replaceChildren(line(report.total, "th"));
  }

  function legend() {
    fetch("/api/skm/public?lang=" + lang, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (skm) {
        var list = document.getElementById("report-elements-legend");
        list.replaceChildren.apply(list, skm.elements.map(function (e, i) {
          return el("li", "U" + (i + 1) + " · " + e.name);
        }));
      }).catch(function () { /* the table stands without it */ });
  }

  function load() {
    var q = new URLSearchParams(new FormData(form)).toString();
    fetch("/api/reports?" + q, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(render)
      .catch(function () { /* the page's own message says what went wrong */ });
  }

  form.addEventListener("submit", function () { setTimeout(load, 0); });
  legend();
  load();
}());
