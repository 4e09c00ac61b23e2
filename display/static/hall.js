/* The hall screen (/display): the newest call huge, the recent calls, waiting counts, the
 * clock and the running text. State comes from the hub's `snapshot` (on every connect) and is
 * kept current by `call`, `queue` and `settings` pushes. */
(function (global) {
  "use strict";

  var D = global.LoketDisplay;
  var S = D.settings;
  var t = D.t;
  // Room for long names and a paused service's label; a vertical TV shows one row of three.
  function tilesPerPage() {
    return document.documentElement.classList.contains("is-portrait") ? 3 : 6;
  }
  var PAGE_SECONDS = 10;

  var state = {
    day: null,
    services: [],          // snapshot services of this zone, in config order
    waiting: {},           // prefix -> people waiting
    paused: {},            // prefix -> true
    calls: [],             // newest first, one per ticket
    hero: null,
    page: 0
  };
  global.__loketState = state;

  var ledger = new D.CallLedger();
  var hero = {
    box: D.byId("hero"),
    ticket: D.byId("hero-ticket"),
    counter: D.byId("hero-counter"),
    service: D.byId("hero-service"),
    recall: D.byId("hero-recall"),
    priority: D.byId("hero-priority"),
    booked: D.byId("hero-booked")
  };
  var recentList = D.byId("recent-list");
  var recentEmpty = D.byId("recent-empty");
  var waitingList = D.byId("waiting-list");
  var waitingPages = D.byId("waiting-pages");

  function inZone(call) {
    return !S.zone || call.zone === S.zone;
  }

  function serviceName(prefix) {
    for (var i = 0; i < state.services.length; i += 1) {
      var svc = state.services[i];
      if (svc.prefix === prefix) { return S.lang === "en" ? (svc.name_en || svc.name) : svc.name; }
    }
    return "";
  }

  function counterText(call) {
    return String(call.counter_name || call.counter || "").toUpperCase();
  }

  /* ------------------------------------------------------------------ hero */
  function drawHero(call, flashing) {
    state.hero = call;
    hero.box.classList.remove("is-empty", "is-flashing", "is-steady");
    void hero.box.offsetWidth;  // restart the flash animation for a new call
    hero.box.classList.add(flashing ? "is-flashing" : "is-steady");
    hero.box.classList.toggle("is-recall", !!call.recall);
    D.setText(hero.ticket, call.ticket);
    D.setText(hero.counter, counterText(call));
    D.setText(hero.service, serviceName(call.service));
    D.show(hero.recall, !!call.recall);
    D.show(hero.priority, !!call.priority);
    D.show(hero.booked, !!call.booked && !call.priority);  // checked in from an online booking
    markCurrentRow();
    D.markRender("hero", call);
  }

  function settleHero(call) {
    if (state.hero && state.hero.id === call.id) {
      hero.box.classList.remove("is-flashing");
      hero.box.classList.add("is-steady");
    }
  }

  function emptyHero() {
    state.hero = null;
    hero.box.classList.remove("is-flashing", "is-steady", "is-recall");
    hero.box.classList.add("is-empty");
    D.setText(hero.ticket, "");
    D.setText(hero.counter, "");
    D.setText(hero.service, "");
    D.show(hero.recall, false);
    D.show(hero.priority, false);
    D.show(hero.booked, false);
  }

  var flashes = new D.FlashQueue(S.flash_seconds, drawHero, settleHero);
  var sound = new D.SoundPlayer(S.audio);

  /* ------------------------------------------------------------------ recent calls */
  function renderRecent() {
    var rows = state.calls.map(function (call, index) {
      var row = D.fromTemplate("tpl-recent");
      row.dataset.callId = String(call.id);
      row.dataset.ticket = call.ticket;
      row.querySelector(".r-ticket").textContent = call.ticket;
      row.querySelector(".r-counter").textContent = counterText(call);
      var tag = row.querySelector(".r-tag");
      if (call.recall) {
        tag.textContent = t("recall");
        row.classList.add("is-recall");
      } else if (call.priority) {
        tag.textContent = t("priority");
        tag.classList.add("is-priority");
        row.classList.add("is-priority");
      } else if (call.booked) {
        tag.textContent = t("booked");
        tag.classList.add("is-booked");
      }
      if (index === 0) { row.classList.add("is-newest"); }
      return row;
    });
    recentList.replaceChildren.apply(recentList, rows);
    D.show(recentEmpty, rows.length === 0);
    markCurrentRow();
  }

  function markCurrentRow() {
    var id = state.hero ? String(state.hero.id) : "";
    Array.prototype.forEach.call(recentList.children, function (row) {
      row.classList.toggle("is-current", row.dataset.callId === id);
    });
  }

  /* ------------------------------------------------------------------ waiting counts */
  function groups() {
    var list = [];
    if (S.group_by === "agency") {
      var byAgency = {};
      state.services.forEach(function (svc) {
        var key = svc.agency_id || svc.agency;
        var group = byAgency[key];
        if (!group) {
          group = byAgency[key] = { key: key, badge: [], name: svc.agency, waiting: 0,
                                    open: false };
          list.push(group);
        }
        group.badge.push(svc.prefix);
        group.waiting += state.waiting[svc.prefix] || 0;
        group.open = group.open || (svc.open && !state.paused[svc.prefix]);
      });
      list.forEach(function (g) { g.badge = g.badge.join(" "); });
    } else {
      state.services.forEach(function (svc) {
        list.push({
          key: svc.prefix,
          badge: svc.prefix,
          name: S.lang === "en" ? (svc.name_en || svc.name) : svc.name,
          waiting: state.waiting[svc.prefix] || 0,
          open: svc.open !== false && !state.paused[svc.prefix],
          paused: !!state.paused[svc.prefix]
        });
      });
    }
    return list;
  }

  function renderWaiting() {
    var list = groups();
    var perPage = tilesPerPage();
    var pages = Math.max(1, Math.ceil(list.length / perPage));
    if (state.page >= pages) { state.page = 0; }
    var start = state.page * perPage;
    var shown = list.slice(start, start + perPage);
    var tiles = shown.map(function (group) {
      var tile = D.fromTemplate("tpl-waiting");
      tile.dataset.key = group.key;
      tile.querySelector(".w-prefix").textContent = group.badge;
      tile.querySelector(".w-name").textContent = group.name;
      tile.querySelector(".w-count").textContent = String(group.waiting);
      var unit = tile.querySelector(".w-unit");
      if (!group.open) {
        unit.textContent = group.paused ? t("service_paused") : t("service_closed");
        tile.classList.add("is-closed");
      } else {
        unit.textContent = t("people");
      }
      if (group.waiting === 0) { tile.classList.add("is-zero"); }
      return tile;
    });
    waitingList.style.setProperty("--tiles", String(Math.max(shown.length, 1)));
    waitingList.replaceChildren.apply(waitingList, tiles);
    var dots = [];
    for (var i = 0; pages > 1 && i < pages; i += 1) {
      var dot = document.createElement("span");
      if (i === state.page) { dot.className = "is-active"; }
      dots.push(dot);
    }
    waitingPages.replaceChildren.apply(waitingPages, dots);
  }

  setInterval(function () {  // turn the page of waiting counts when there are many services
    if (groups().length > tilesPerPage()) {
      state.page += 1;
      renderWaiting();
    }
  }, PAGE_SECONDS * 1000);

  /* ------------------------------------------------------------------ pushes */
  var ticker = new D.Ticker();
  var signage = new D.Signage({
    groups: S.zone ? ["zone:" + S.zone, "hall"] : ["hall"], zone: S.zone, ticker: ticker
  });
  var clock = new D.Clock(S.hall && S.hall.timezone, function () {
    // Midnight in the hall: yesterday's calls leave the screen (and the screen's memory).
    state.calls = [];
    ledger.reset();
    D.forgetRenders();
    flashes.clear();
    emptyHero();
    renderRecent();
  });

  function onSnapshot(snap) {
    var first = state.day === null;
    if (!first && snap.day && snap.day !== state.day) {
      state.calls = [];
      flashes.clear();
      emptyHero();
      ledger.reset();
      first = true;
    }
    state.day = snap.day || state.day;
    if (snap.hall) { clock.setTimezone(snap.hall.timezone); }
    state.services = (snap.services || []).slice();
    state.waiting = {};
    state.paused = {};
    state.services.forEach(function (svc) {
      state.waiting[svc.prefix] = svc.waiting || 0;
      if (svc.paused) { state.paused[svc.prefix] = true; }
    });
    var calls = (snap.calls || []).filter(function (call) {
      return inZone(call) && D.isToday(call, state.day);
    });
    var missed = ledger.catchUp(calls, snap.at, first);
    state.calls = D.mergeCalls([], calls, S.recent_calls);
    renderRecent();
    renderWaiting();
    signage.setRunningText(snap.running_text);
    if (missed.length) {
      missed.forEach(function (call) { flashes.push(call); sound.push(call); });
    } else if (!flashes.timer) {
      if (state.calls.length) {
        var newest = state.calls[0];
        if (!state.hero || state.hero.id !== newest.id) { drawHero(newest, false); }
      } else {
        emptyHero();
      }
    }
    global.__loketSnapshots = (global.__loketSnapshots || 0) + 1;
    D.markRender("snapshot", null);
  }

  function onCall(call) {
    if (!inZone(call) || !ledger.add(call)) { return; }
    state.calls = D.mergeCalls(state.calls, [call], S.recent_calls);
    renderRecent();
    D.markRender("call", call);
    flashes.push(call);
    sound.push(call);
  }

  function onQueue(queue) {
    (queue.services || []).forEach(function (item) {
      if (Object.prototype.hasOwnProperty.call(state.waiting, item.prefix)) {
        state.waiting[item.prefix] = item.waiting || 0;
      }
    });
    renderWaiting();
  }

  function onSettings(change) {
    if (change.key === "running_text") {
      signage.setRunningText(change.value);
    } else if (change.key === "paused_services") {
      state.paused = {};
      (change.value || []).forEach(function (prefix) { state.paused[prefix] = true; });
      renderWaiting();
    }
  }

  emptyHero();
  renderRecent();
  // The hall screen shows calls and waiting counts, not counters' states: no `counter` events
  // (one message per call instead of two; docs/benchmarks.md).
  var auth = { counter_events: "none" };
  if (S.zone) { auth.zone = S.zone; }
  var socket = D.connect(auth, {
    snapshot: onSnapshot,
    call: onCall,
    queue: onQueue,
    settings: onSettings
  });
  signage.listen(socket);
  global.addEventListener("resize", function () { renderWaiting(); });
}(window));
