/* The compact screen above one counter (/display/counter/<id>): only that counter's current
 * ticket, huge, flashing when it is called or called again. */
(function (global) {
  "use strict";

  var D = global.LoketDisplay;
  var S = D.settings;
  var t = D.t;
  var id = String(S.counter);

  var state = { counter: null, ticket: null, ticketStatus: null, status: "idle", waiting: 0,
                day: null, call: null };
  global.__loketState = state;

  var stage = D.byId("cs-stage");
  var ticketEl = D.byId("cs-ticket");
  var statusEl = D.byId("cs-status");
  var waitingEl = D.byId("cs-waiting");
  var nameEl = D.byId("cs-name");
  var recallEl = D.byId("cs-recall");
  var priorityEl = D.byId("cs-priority");
  var bookedEl = D.byId("cs-booked");
  var ledger = new D.CallLedger();

  var STATUS_WORDS = { idle: "idle", serving: "serving", "break": "break", closed: "closed" };

  function render() {
    var status = state.ticket ? "serving" : (state.status === "serving" ? "idle" : state.status);
    // A break of the hall calendar (the Friday prayer) while nobody is at the counter.
    if (!state.ticket && state.counter && state.counter.calendar_break) { status = "break"; }
    stage.classList.remove("is-idle", "is-serving", "is-break", "is-closed");
    stage.classList.add("is-" + (STATUS_WORDS[status] ? status : "idle"));
    D.setText(ticketEl, state.ticket || "—");
    var words = status === "serving" && state.ticketStatus !== "serving" ? "called"
      : (STATUS_WORDS[status] || "idle");
    D.setText(statusEl, t(words));
    D.setText(waitingEl, String(state.waiting));
    if (state.counter && state.counter.counter_name) { D.setText(nameEl, state.counter.counter_name); }
    var call = state.call && state.call.ticket === state.ticket ? state.call : null;
    D.show(recallEl, !!(call && call.recall));
    var priority = !!(call ? call.priority : state.counter && state.counter.priority);
    D.show(priorityEl, priority);
    D.show(bookedEl, !priority && !!(call ? call.booked : state.counter && state.counter.booked));
  }

  function flash(call, flashing) {
    state.call = call;
    if (state.ticket !== call.ticket || call.recall) { state.ticketStatus = "called"; }
    state.ticket = call.ticket;
    render();
    stage.classList.remove("is-flashing", "is-steady");
    void stage.offsetWidth;
    stage.classList.add(flashing ? "is-flashing" : "is-steady");
    D.markRender("counter", call);
  }

  function settle(call) {
    if (state.call && state.call.id === call.id) {
      stage.classList.remove("is-flashing");
      stage.classList.add("is-steady");
    }
  }

  var flashes = new D.FlashQueue(S.flash_seconds, flash, settle);
  var sound = new D.SoundPlayer(S.audio);
  var ticker = new D.Ticker();
  var signage = new D.Signage({ groups: ["counter:" + id], zone: S.counter_zone, ticker: ticker });
  var clock = new D.Clock(S.hall && S.hall.timezone, function () {
    ledger.reset();  // a new day in the hall: forget yesterday's call ids
    D.forgetRenders();
  });

  function applyCounter(row) {
    if (!("calendar_break" in row) && state.counter) {  // only snapshots say it
      row.calendar_break = state.counter.calendar_break;
    }
    state.counter = row;
    state.status = row.status || "idle";
    if (row.ticket_status) {
      state.ticketStatus = row.ticket_status;
    } else if ((row.ticket || null) !== state.ticket) {
      state.ticketStatus = row.ticket ? "called" : null;
    }
    state.ticket = row.ticket || null;
    if (typeof row.waiting === "number") { state.waiting = row.waiting; }
    if (!state.ticket) { stage.classList.remove("is-flashing", "is-steady"); }
  }

  function onSnapshot(snap) {
    var first = state.day === null;
    state.day = snap.day || state.day;
    if (snap.hall) { clock.setTimezone(snap.hall.timezone); }
    signage.setRunningText(snap.running_text);
    var row = (snap.counters || []).filter(function (c) { return String(c.counter) === id; })[0];
    if (row) { applyCounter(row); }
    var calls = (snap.calls || []).filter(function (c) {
      return String(c.counter) === id && D.isToday(c, state.day);
    });
    var missed = ledger.catchUp(calls, snap.at, first).filter(function (c) {
      return c.ticket === state.ticket;  // only a call still standing is worth a flash
    });
    if (calls.length && calls[0].ticket === state.ticket) { state.call = calls[0]; }
    render();
    if (missed.length) {
      flashes.push(missed[missed.length - 1]);
      sound.push(missed[missed.length - 1]);
    } else if (state.ticket && !flashes.timer) {
      stage.classList.add("is-steady");
    }
    global.__loketSnapshots = (global.__loketSnapshots || 0) + 1;
    D.markRender("snapshot", null);
  }

  function onCall(call) {
    if (String(call.counter) !== id || !ledger.add(call)) { return; }
    flashes.push(call);
    sound.push(call);
  }

  function onCounter(row) {
    if (String(row.counter) !== id) { return; }
    var queued = flashes.pending() > 0;
    applyCounter(row);
    if (queued && flashes.current) { state.ticket = flashes.current.ticket; }
    render();
  }

  function onQueue(queue) {
    (queue.counters || []).forEach(function (c) {
      if (String(c.id) === id) { state.waiting = c.waiting || 0; }
    });
    render();
  }

  function onSettings(change) {
    if (change.key === "running_text") { signage.setRunningText(change.value); }
  }

  render();
  var socket = D.connect({ counter: id, counter_events: "own" }, {
    snapshot: onSnapshot,
    call: onCall,
    counter: onCounter,
    queue: onQueue,
    settings: onSettings
  });
  signage.listen(socket);
}(window));
