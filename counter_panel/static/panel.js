/* The officers' panel: buttons and shortcuts -> the JSON API; Socket.IO /counter -> redraw. */
(function () {
  "use strict";
  var root = document.getElementById("counter-panel");
  if (!root) { return; }
  var texts = JSON.parse(document.getElementById("cp-texts").textContent || "{}");
  var counterId = root.dataset.counter;
  var lang = root.dataset.lang || "id";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var state = null;
  var busy = false;
  var refreshTimer = null;
  var $ = function (id) { return document.getElementById(id); };

  function t(key, params) {
    var text = texts["counter." + key] || key;
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
    return text;
  }

  function minutes(seconds) { return Math.max(0, Math.round(seconds / 60)); }

  function say(message, isError) {
    var box = $("cp-message");
    box.textContent = message || "";
    box.classList.toggle("error", !!isError);
  }

  function renderState(s) {
    state = s;
    var status = $("cp-status");
    status.textContent = t("status." + s.status);
    status.dataset.status = s.status;
    $("cp-officer").textContent = s.officer ? t("officer", { name: s.officer }) : "";
    $("cp-ticket").textContent = s.ticket || t("no_ticket");
    root.dataset.ticket = s.ticket || "";
    $("cp-waited").textContent = (s.ticket && s.waited_s !== null && s.waited_s !== undefined)
      ? t("waited", { minutes: minutes(s.waited_s) }) : "";
    tickCalled();
    var hasTicket = !!s.ticket;
    var paused = s.status === "break" || s.status === "closed";
    root.querySelectorAll(".cp-key").forEach(function (button) {
      var action = button.dataset.action;
      var enabled = !busy;
      if (action === "recall" || action === "skip" || action === "done" || action === "transfer") {
        enabled = enabled && hasTicket;
      }
      if (action === "break") { enabled = enabled && !paused; }
      button.disabled = !enabled;
    });
    root.querySelector('[data-action="break"]').hidden = s.status === "break";
    root.querySelector('[data-action="resume"]').hidden = s.status !== "break";
  }

  function tickCalled() {
    if (!state || !state.ticket || !state.since) { $("cp-called").textContent = ""; return; }
    var since = Date.parse(state.since);
    $("cp-called").textContent = isNaN(since) ? ""
      : t("called_ago", { minutes: minutes((Date.now() - since) / 1000) });
  }

  function renderWaiting(rows) {
    var list = $("cp-waiting");
    list.replaceChildren();
    var total = 0;
    rows.forEach(function (row) {
      total += row.waiting;
      var item = document.createElement("li");
      var name = document.createElement("span");
      name.textContent = row.prefix + " — " + row.name;
      var count = document.createElement("strong");
      count.textContent = String(row.waiting);
      item.append(name, count);
      item.dataset.service = row.prefix;
      list.append(item);
    });
    $("cp-waiting-total").textContent = t("waiting_total", { count: total });
  }

  function renderServed(rows) {
    var body = $("cp-served");
    body.replaceChildren();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var called = row.called_at ? row.called_at.slice(11, 16) : "";
      var duration = row.duration_s === null ? "" : minutes(row.duration_s) + " min";
      [row.ticket, called, duration, t("result." + row.status)].forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      });
      body.append(tr);
    });
    $("cp-served-none").hidden = rows.length > 0;
  }

  // Every refresh is numbered: an answer that left before a newer refresh, action or live
  // update must not paint an older state over a newer one.
  var generation = 0;

  function refresh() {
    var mine = ++generation;
    return fetch(root.dataset.dataUrl + "?lang=" + lang, { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401 || response.redirected) { window.location.reload(); }
        return response.json();
      })
      .then(function (data) {
        if (mine !== generation) { return; }
        renderState(data.state);
        renderWaiting(data.waiting);
        renderServed(data.served);
      })
      .catch(function () { /* the socket's reconnect will refresh again */ });
  }

  function refreshSoon() {
    if (refreshTimer) { return; }
    refreshTimer = setTimeout(function () { refreshTimer = null; refresh(); }, 80);
  }

  function act(action, body) {
    if (busy) { return; }
    busy = true;
    if (state) { renderState(state); }
    say("");
    var options = {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    };
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    fetch(root.dataset.actionUrl + action + "?lang=" + lang, options)
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        busy = false;
        generation++;
        if (result.ok) {
          renderState(result.data);
          if (action === "next" || action === "recall") {
            say(t("called", { ticket: result.data.ticket || "" }));
          }
        } else {
          say(result.data.message || result.data.error, true);
        }
        refresh();
      })
      .catch(function () {
        busy = false;
        say(t("offline"), true);
        refresh();
      });
  }

  function openTransfer() {
    var form = $("cp-transfer");
    form.hidden = false;
    $("cp-transfer-service").focus();
  }

  root.querySelectorAll(".cp-key").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.dataset.action === "transfer") { openTransfer(); return; }
      act(button.dataset.action);
    });
  });
  $("cp-transfer").addEventListener("submit", function (event) {
    event.preventDefault();
    $("cp-transfer").hidden = true;
    act("transfer", { service: $("cp-transfer-service").value });
  });
  $("cp-transfer-cancel").addEventListener("click", function () { $("cp-transfer").hidden = true; });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT"
                   || target.tagName === "TEXTAREA")) {
      if (event.key === "Escape") { $("cp-transfer").hidden = true; }
      return;
    }
    var button = root.querySelector('.cp-key[data-key="' + event.key.toLowerCase() + '"]');
    if (!button || button.disabled || button.hidden) { return; }
    event.preventDefault();
    button.click();
  });

  if (typeof io === "function") {
    var socket = io("/counter", { auth: { counter: counterId }, transports: ["websocket"] });
    socket.on("connect", function () { $("cp-offline").hidden = true; refresh(); });
    socket.on("disconnect", function () { $("cp-offline").hidden = false; });
    socket.on("counter", function (data) { generation++; renderState(data); refreshSoon(); });
    socket.on("queue", refreshSoon);
    socket.on("call", refreshSoon);
  }
  setInterval(tickCalled, 15000);
  refresh();
}());
