/* The open-data page: loads /api/open-data/daily and /ikm for the chosen days, draws two
   charts (Chart.js, served locally) and fills the tables that carry the same figures. */
(function () {
  "use strict";
  const words = JSON.parse(document.getElementById("opendata-words").textContent);
  const form = document.getElementById("range");
  const status = document.getElementById("status");
  const city = document.querySelector("#daily thead th:nth-child(2)").textContent ===
    words["opendata.hall"];
  const charts = {};
  const palette = ["#0b5cad", "#c2410c", "#1b873f", "#7c3aed", "#b91c1c", "#0e7490",
                   "#a16207", "#be185d", "#334155"];
  const minutes = (s) => (s === null || s === undefined ? null : Math.round(s / 6) / 10);

  function cell(row, value, numeric) {
    const td = document.createElement("td");
    if (numeric) td.className = "num";
    if (value === null || value === undefined) {
      const abbr = document.createElement("abbr");
      abbr.title = words["opendata.suppressed"];
      abbr.textContent = "–";
      td.appendChild(abbr);
    } else {
      td.textContent = String(value);
    }
    row.appendChild(td);
  }

  function serviceLabel(r) {
    return r.service + " · " + r.service_name;
  }

  function fillDaily(rows) {
    const body = document.querySelector("#daily tbody");
    body.replaceChildren();
    for (const r of rows) {
      const tr = document.createElement("tr");
      cell(tr, r.date);
      if (city) cell(tr, r.hall_name);
      cell(tr, serviceLabel(r));
      cell(tr, r.agency_name);
      cell(tr, r.issued, true);
      cell(tr, r.served, true);
      cell(tr, r.no_show, true);
      cell(tr, minutes(r.wait_median_s), true);
      cell(tr, minutes(r.wait_p90_s), true);
      cell(tr, minutes(r.service_median_s), true);
      cell(tr, r.busiest_hour);
      body.appendChild(tr);
    }
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = city ? 11 : 10;
      td.textContent = words["opendata.none"];
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  function fillIkm(rows) {
    const body = document.querySelector("#ikm tbody");
    body.replaceChildren();
    for (const r of rows) {
      const tr = document.createElement("tr");
      cell(tr, r.month);
      if (city) cell(tr, r.hall_name);
      cell(tr, serviceLabel(r));
      cell(tr, r.respondents, true);
      cell(tr, r.ikm === null ? null : r.ikm.toFixed(2), true);
      cell(tr, r.grade);
      body.appendChild(tr);
    }
  }

  function draw(id, kind, rows, value) {
    const days = [...new Set(rows.map((r) => r.date))].sort();
    const keys = [...new Set(rows.map((r) => (city ? r.hall_name + " · " : "") + r.service_name))];
    const datasets = keys.map((key, i) => {
      const byDay = {};
      for (const r of rows) {
        if ((city ? r.hall_name + " · " : "") + r.service_name === key) byDay[r.date] = value(r);
      }
      const color = palette[i % palette.length];
      return { label: key, data: days.map((d) => (d in byDay ? byDay[d] : null)),
               backgroundColor: color, borderColor: color, spanGaps: false };
    });
    if (charts[id]) charts[id].destroy();
    if (typeof Chart === "undefined") return;
    charts[id] = new Chart(document.getElementById(id), {
      type: kind,
      data: { labels: days, datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { x: { stacked: kind === "bar" }, y: { stacked: kind === "bar",
                                                             beginAtZero: true } } },
    });
  }

  async function load() {
    const params = new URLSearchParams(new FormData(form));
    status.textContent = words["opendata.loading"];
    try {
      const [daily, ikm] = await Promise.all(["daily", "ikm"].map(async (kind) => {
        const answer = await fetch("/api/open-data/" + kind + "?" + params.toString());
        const body = await answer.json();
        if (!answer.ok) throw new Error(body.message || answer.status);
        return body;
      }));
      fillDaily(daily.rows);
      fillIkm(ikm.rows);
      draw("chart-served", "bar", daily.rows, (r) => r.served);
      draw("chart-wait", "line", daily.rows, (r) => minutes(r.wait_median_s));
      document.getElementById("period-text").textContent = daily.from + " – " + daily.to;
      document.getElementById("dl-csv").href = "/api/open-data/daily?" + params + "&format=csv";
      document.getElementById("dl-json").href = "/api/open-data/daily?" + params;
      status.textContent = "";
    } catch (error) {
      status.textContent = words["opendata.failed"].replace("{error}", error.message);
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
})();
