/* Reports page: fetches GET /api/reports and links the CSV/XLSX exports of the same query. */
"use strict";
(function (L) {
  var t = L.strings("rep-strings");
  L.units = t;
  var form = document.getElementById("report-form");
  var table = document.getElementById("report");
  var message = document.getElementById("report-message");
  var columns = [
    ["name", null], ["issued", "n"], ["served", "n"], ["no_show", "n"], ["transferred", "n"],
    ["avg_wait_s", "t"], ["p90_wait_s", "t"], ["avg_service_s", "t"], ["p90_service_s", "t"],
    ["busiest", "h"], ["ikm", "i"], ["booked", "n"], ["walk_in", "n"]
  ];
  var titles = {
    id: ["Kelompok", "Diterbitkan", "Dilayani", "Tidak hadir", "Dialihkan", "Rata-rata tunggu",
      "P90 tunggu", "Rata-rata layanan", "P90 layanan", "Jam tersibuk", "IKM (responden)",
      "Reservasi", "Datang langsung"],
    en: ["Group", "Issued", "Served", "No-show", "Transferred", "Average wait", "P90 wait",
      "Average service", "P90 service", "Busiest hour", "IKM (respondents)", "Booked",
      "Walk-in"]
  };
  var lang = document.documentElement.lang === "en" ? "en" : "id";

  function query() {
    var params = new URLSearchParams(new FormData(form));
    return params.toString();
  }
  function cell(row, column) {
    var key = column[0], kind = column[1];
    if (kind === "t") return L.minutes(row[key]);
    if (kind === "h") return row.busiest_hours && row.busiest_hours.length ? row.busiest_hours[0].label : "–";
    if (kind === "i") return row.ikm && row.ikm.ikm !== null ? row.ikm.ikm + " " + row.ikm.grade + " (" + row.ikm.respondents + ")" : "–";
    var value = row[key];
    return value === null || value === undefined ? "–" : value;
  }
  function line(row, tag) {
    var tr = document.createElement("tr");
    columns.forEach(function (column) { tr.appendChild(L.el(tag, cell(row, column))); });
    return tr;
  }
  function render(report) {
    var head = document.createElement("tr");
    titles[lang].forEach(function (title) { head.appendChild(L.el("th", title)); });
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren.apply(table.tBodies[0], report.rows.map(function (r) { return line(r, "td"); }));
    table.tFoot.replaceChildren(line(report.total, "th"));
    var list = document.getElementById("busiest");
    list.replaceChildren.apply(list, report.busiest_hours.map(function (h) {
      return L.el("li", h.label + " · " + h.tickets);
    }));
  }
  function load() {
    var q = query();
    document.getElementById("csv-link").href = "/api/reports/export.csv?" + q;
    document.getElementById("xlsx-link").href = "/api/reports/export.xlsx?" + q;
    message.textContent = "…";
    fetch("/api/reports?" + q, { credentials: "same-origin" }).then(function (r) {
      return r.json().then(function (data) { if (!r.ok) throw new Error(data.message); return data; });
    }).then(function (report) { message.textContent = ""; render(report); })
      .catch(function (error) { message.textContent = error.message; });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  load();
})(window.Loket);
