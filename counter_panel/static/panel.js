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
    $("cp-ticket").classList.toggle("is-empty", !s.ticket);
    $("cp-booked").hidden = !(s.ticket && s.booked);  // checked in from a booking
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
      if (action === "number") { enabled = enabled && s.status !== "closed"; }
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

  function rowButton(text, action, ticket) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cp-small";
    button.textContent = text;
    button.dataset.ticketAction = action;
    button.addEventListener("click", function () { act(action, { ticket: ticket }); });
    return button;
  }

  function renderServed(rows) {
    var body = $("cp-served");
    body.replaceChildren();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      var called = row.called_at ? row.called_at.slice(11, 16) : "";
      var duration = row.duration_s === null ? ""
        : t("minutes_short", { minutes: minutes(row.duration_s) });
      [row.ticket, called, duration, t("result." + row.status)].forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = value;
        tr.append(td);
      });
      if (row.booked) {  // checked in from an online booking
        var badge = document.createElement("span");
        badge.className = "cp-booked cp-booked-small";
        badge.textContent = t("booked");
        tr.firstChild.append(" ", badge);
      }
      var actions = document.createElement("td");
      if (row.status === "no_show") {
        actions.append(
          rowButton(t("bring_back", { ticket: row.ticket }), "bring_back", row.ticket),
          rowButton(t("call_again", { ticket: row.ticket }), "call", row.ticket));
      }
      tr.append(actions);
      tr.dataset.ticket = row.ticket;
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

  function act(action, body, then) {
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
          if (action === "next" || action === "recall" || action === "call") {
            say(t("called", { ticket: result.data.ticket || "" }));
          } else if (action === "bring_back") {
            say(t("brought_back", { ticket: (body && body.ticket || "").toUpperCase() }));
          }
          if (then) { then(); }
        } else if (result.data.error === "on_break" && action === "next") {
          confirmBreak();  // the panel's state was old: ask, as a press on NEXT does
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

  var forms = ["cp-transfer", "cp-number", "cp-confirm"];
  var returnFocus = null;

  function closeForms(focusBack) {
    forms.forEach(function (id) { $(id).hidden = true; });
    if (focusBack && returnFocus && document.body.contains(returnFocus)) { returnFocus.focus(); }
  }

  function openForm(id, focus) {
    returnFocus = document.activeElement;
    forms.forEach(function (other) { $(other).hidden = other !== id; });
    $(id).hidden = false;
    $(focus).focus();
  }

  function openTransfer() {
    // Never offer the ticket's own service first: a transfer there is refused anyway.
    var select = $("cp-transfer-service");
    var current = state && state.service;
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) { return; }
      option.disabled = option.value === current;
      if (!option.disabled && first === null) { first = option; }
    });
    if (!select.value || select.value === current) { select.value = first ? first.value : ""; }
    openForm("cp-transfer", "cp-transfer-service");
  }

  function confirmBreak() {
    say("");
    openForm("cp-confirm", "cp-confirm-yes");
  }

  root.querySelectorAll(".cp-key").forEach(function (button) {
    button.addEventListener("click", function () {
      var action = button.dataset.action;
      if (action === "transfer") { openTransfer(); return; }
      if (action === "number") {
        say("");
        openForm("cp-number", "cp-number-input");
        return;
      }
      if (action === "next" && state && state.status === "break") { confirmBreak(); return; }
      closeForms(false);
      act(action);
    });
  });
  $("cp-transfer").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!$("cp-transfer-service").value) { return; }
    closeForms(true);
    act("transfer", { service: $("cp-transfer-service").value });
  });
  $("cp-number").addEventListener("submit", function (event) {
    event.preventDefault();
    var submitter = event.submitter || $("cp-number").querySelector("[data-ticket-action]");
    var ticket = $("cp-number-input").value.trim();
    if (!ticket) {
      say(t("number_missing"), true);
      $("cp-number-input").focus();
      return;
    }
    closeForms(true);
    $("cp-number-input").value = "";
    act(submitter.dataset.ticketAction, { ticket: ticket });
  });
  $("cp-confirm-yes").addEventListener("click", function () {
    closeForms(true);
    act("resume", null, function () { act("next"); });
  });
  root.querySelectorAll(".cp-cancel, #cp-confirm-no").forEach(function (button) {
    button.addEventListener("click", function () { closeForms(true); });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT"
                   || target.tagName === "TEXTAREA")) {
      if (event.key === "Escape") { closeForms(true); }
      return;
    }
    if (event.key === "Escape") { closeForms(true); return; }
    if (target && target.tagName === "BUTTON" && (event.key === "Enter" || event.key === " ")) {
      return;
    }
    var button = root.querySelector('.cp-key[data-key="' + event.key.toLowerCase() + '"]');
    if (!button || button.disabled || button.hidden) { return; }
    event.preventDefault();
    button.click();
  });

  if (typeof io === "function") {
    var socket = io("/counter", { auth: { counter: counterId }, transports: ["websocket"] });
    socket.on("connect", function () {
      $("cp-offline").hidden = true;
      // What was said before the connection dropped is old news now.
      if ($("cp-message").classList.contains("error")) { say(""); }
      refresh();
    });
    socket.on("disconnect", function () { $("cp-offline").hidden = false; });
    socket.on("counter", function (data) {
      // A change made elsewhere (a keypad, another panel, a supervisor): the message about
      // this panel's last press no longer describes the counter.
      if (!busy && state && (data.ticket !== state.ticket || data.status !== state.status)) {
        say("");
      }
      generation++;
      renderState(data);
      refreshSoon();
    });
    socket.on("queue", refreshSoon);
    socket.on("call", refreshSoon);
    socket.on("hall", function () { refreshSoon(); }); // the counter's services or name changed
  }
  setInterval(tickCalled, 15000);
  refresh();
}());
