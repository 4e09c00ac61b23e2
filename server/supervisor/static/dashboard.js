/* Supervisor dashboard: renders the payload pushed on the /supervisor Socket.IO namespace and
   sends the controls to the JSON API (session cookie + X-CSRFToken header). */
"use strict";
(function (L) {
  var t = L.strings("sup-strings");
  var lang = document.documentElement.lang === "en" ? "en" : "id";
  var state = null;
  var charts = {};
  var live = document.getElementById("live");

  function say(text, isError) {
    var node = document.getElementById("control-message");
    node.textContent = text;
    node.className = "sup-message" + (isError ? " error" : "");
  }
  function fail(error) { say(L.format(t["sup.error"], { message: error.message }), true); }
  function button(text, onClick, extra) {
    var b = L.el("button", text, "sup-btn" + (extra ? " " + extra : ""));
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function counterAction(id, action) {
    return function () {
      L.post("/api/counters/" + encodeURIComponent(id) + "/" + action).catch(fail);
    };
  }
  function ikmText(result) {
    if (!result || result.ikm === null || result.ikm === undefined) return "–";
    return result.ikm.toFixed(2) + " " + result.grade + " · " +
      L.format(t["sup.respondents"], { n: result.respondents });
  }
  function row(cells, className) {
    var tr = document.createElement("tr");
    if (className) tr.className = className;
    cells.forEach(function (c) {
      var td = document.createElement("td");
      if (c instanceof Node) td.appendChild(c); else td.textContent = c === null || c === undefined ? "–" : String(c);
      tr.appendChild(td);
    });
    return tr;
  }
  function fill(tableId, rows) {
    var body = document.querySelector("#" + tableId + " tbody");
    body.replaceChildren.apply(body, rows);
  }

  function renderAlerts(data) {
    var list = document.getElementById("alerts");
    var items = data.alerts.map(function (a) {
      var text;
      if (a.kind === "sla") {
        text = L.format(t["sup.alert_sla"], { name: a.service + " · " + a.name,
          minutes: Math.floor(a.longest_wait_s / 60), sla: a.sla_minutes });
      } else if (a.kind === "city") {
        text = a.forwarding
          ? L.format(t["sup.alert_city"], { backlog: a.backlog,
              since: a.last_ok ? a.last_ok.slice(11, 16) : "–" })
          : t["sup.alert_city_off"];
      } else if (a.text) {
        text = a.text;  // alerts that bring their own translated text (e.g. notices)
      } else {
        text = L.format(t["sup.alert_crowded"], a);
      }
      var li = L.el("li", text, "sup-alert sup-alert-" + a.kind);
      li.dataset.kind = a.kind;
      li.dataset.target = a.service || a.zone || "city";
      return li;
    });
    if (!items.length) items = [L.el("li", t["sup.no_alerts"], "sup-alert-none")];
    list.replaceChildren.apply(list, items);
  }

  function renderServices(data) {
    var late = {};
    data.alerts.forEach(function (a) { if (a.kind === "sla") late[a.service] = true; });
    var ikm = data.charts.ikm;
    fill("services", data.services.map(function (s) {
      var paused = data.paused_services.indexOf(s.prefix) >= 0;
      var name = L.el("span", s.prefix + " · " + (lang === "en" ? s.name_en || s.name : s.name));
      if (paused) name.appendChild(L.el("small", " (" + t["sup.paused"] + ")", "sup-paused"));
      var toggle = button(paused ? t["sup.unpause"] : t["sup.pause"], function () {
        L.post("/api/supervisor/paused", { service: s.prefix, paused: !paused }).catch(fail);
      });
      var tr = row([name, s.waiting, L.minutes(s.longest_wait_s), L.minutes(s.avg_wait_s),
        L.minutes(s.avg_service_s), s.served, ikmText(ikm.services[s.prefix]), toggle],
        late[s.prefix] ? "sup-late" : "");
      tr.dataset.service = s.prefix;
      return tr;
    }));
    fill("agencies", data.agencies.map(function (a) {
      var tr = row([a.name, a.waiting, L.minutes(a.longest_wait_s), L.minutes(a.avg_wait_s),
        L.minutes(a.avg_service_s), a.served, ikmText(ikm.agencies[a.id])]);
      tr.dataset.agency = a.id;
      return tr;
    }));
    var hall = ikm.hall;
    document.getElementById("hall-ikm").textContent =
      hall.ikm === null ? "–" : hall.ikm.toFixed(2) + " (" + hall.grade + ")";
    document.getElementById("hall-ikm-n").textContent = L.format(t["sup.respondents"], { n: hall.respondents });
  }

  function renderCounters(data) {
    fill("counters", data.counters.map(function (c) {
      var actions = document.createElement("span");
      if (c.status === "closed" || c.status === "break") {
        actions.appendChild(button(t["sup.open"], counterAction(c.id, "open")));
      }
      if (c.status !== "closed") actions.appendChild(button(t["sup.close"], counterAction(c.id, "close")));
      if (c.status === "serving" || c.status === "idle") {
        actions.appendChild(button(t["sup.break"], counterAction(c.id, "break")));
      }
      var status = L.el("span", t["sup.status_" + c.status] || c.status, "sup-status sup-status-" + c.status);
      var tr = row([c.name, status, c.ticket, c.officer, L.minutes(c.service_s), actions]);
      tr.dataset.counter = c.id;
      tr.dataset.status = c.status;
      return tr;
    }));
  }

  function chart(id, config) {
    if (typeof Chart === "undefined") return;
    if (charts[id]) {
      charts[id].data.labels = config.data.labels;
      config.data.datasets.forEach(function (d, i) { charts[id].data.datasets[i].data = d.data; });
      charts[id].update("none");
      return;
    }
    charts[id] = new Chart(document.getElementById(id), config);
  }
  function renderCharts(data) {
    var hourly = data.charts.hourly;
    chart("chart-hourly", {
      type: "bar",
      data: {
        labels: hourly.map(function (h) { return h.label; }),
        datasets: [
          { label: t["sup.chart_arrivals"], data: hourly.map(function (h) { return h.arrivals; }), backgroundColor: "#0b5cad" },
          { label: t["sup.chart_served"], data: hourly.map(function (h) { return h.served; }), backgroundColor: "#1b873f" }
        ]
      },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    chart("chart-waits", {
      type: "bar",
      data: {
        labels: data.charts.waits.labels,
        datasets: [{ label: t["sup.chart_tickets"], data: data.charts.waits.counts, backgroundColor: "#f2b705" }]
      },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  function renderSide(data) {
    var list = document.getElementById("complaints");
    var items = data.complaints.map(function (c) {
      var li = L.el("li", null, "sup-complaint");
      li.appendChild(L.el("strong", c.ticket + " · " + c.service + (c.counter ? " · " + c.counter : "")));
      li.appendChild(L.el("span", " " + c.at.replace("T", " ").slice(0, 16), "sup-when"));
      li.appendChild(L.el("p", c.comment));
      li.appendChild(button(t["sup.mark_handled"], function () {
        L.post("/api/supervisor/complaints/" + c.id + "/handled", {}).then(refresh).catch(fail);
      }));
      return li;
    });
    if (!items.length) items = [L.el("li", t["sup.no_complaints"], "muted-dark")];
    list.replaceChildren.apply(list, items);
    fill("audit", data.audit.map(function (a) {
      return row([a.at.replace("T", " ").slice(0, 19), a.actor, a.action, a.target, a.detail]);
    }));
    var text = document.getElementById("running-text");
    if (document.activeElement !== text) text.value = data.running_text || "";
  }

  function render(data) {
    state = data;
    renderAlerts(data);
    renderServices(data);
    renderCounters(data);
    renderCharts(data);
    renderSide(data);
    document.getElementById("clock").textContent = data.at.replace("T", " ").slice(0, 19);
    document.body.dataset.updated = data.at;
  }
  function refresh() {
    return fetch("/api/supervisor/dashboard", { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(render);
  }

  document.getElementById("move-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    L.post("/api/supervisor/move", { from: form.elements.from.value, to: form.elements.to.value })
      .then(function (result) { say(L.format(t["sup.moved"], { n: result.moved })); })
      .catch(fail);
  });
  document.getElementById("text-form").addEventListener("submit", function (event) {
    event.preventDefault();
    L.post("/api/supervisor/running-text", { text: event.target.elements.text.value })
      .then(function () { say(t["sup.saved"]); }).catch(fail);
  });

  var socket = io("/supervisor", { transports: ["websocket"] });
  socket.on("connect", function () { live.textContent = t["sup.live"]; live.dataset.state = "live"; });
  socket.on("disconnect", function () { live.textContent = t["sup.offline"]; live.dataset.state = "offline"; });
  socket.on("connect_error", function () { live.textContent = t["sup.offline"]; live.dataset.state = "offline"; });
  socket.on("dashboard", render);
  window.LoketSupervisor = { state: function () { return state; } };
})(window.Loket);
