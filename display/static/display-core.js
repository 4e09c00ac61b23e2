/* Loket wall screens: what the hall screen and the counter screen share.
 *
 * Everything the hub sends is inserted with textContent, never as HTML. Updates arrive by
 * Socket.IO push on the /display namespace; the only timers here run the clock, the flashes
 * and the running text, never a request to the hub. */
(function (global) {
  "use strict";

  var settingsEl = document.getElementById("display-settings");
  var settings = JSON.parse(settingsEl ? settingsEl.textContent : "{}");
  var messages = settings.messages || {};

  function t(key, params) {
    var text = messages["display." + key];
    if (text === undefined) { return key; }
    if (params) {
      text = text.replace(/\{(\w+)\}/g, function (_, name) {
        return params[name] === undefined ? "" : String(params[name]);
      });
    }
    return text;
  }

  function byId(id) { return document.getElementById(id); }

  function setText(el, text) {
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  function show(el, visible) {
    if (el) { el.hidden = !visible; }
  }

  /** Clone a <template> and return its first element. */
  function fromTemplate(id) {
    var tpl = byId(id);
    return tpl.content.firstElementChild.cloneNode(true);
  }

  /** performance mark for benchmarks and tests: when a call last reached the DOM. */
  var renders = {};
  function forgetRenders() {
    renders = {};
    global.__loketRenders = renders;
  }
  function markRender(kind, call) {
    var at = performance.timeOrigin + performance.now();
    var entry = { kind: kind, id: call && call.id, ticket: call && call.ticket, at: at };
    global.__loketLastRender = entry;
    if (call && call.ticket && !renders[call.ticket]) { renders[call.ticket] = at; }
    global.__loketRenders = renders;
  }

  /* ------------------------------------------------------------------ clock */
  var ZONE_NAMES = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"
  };

  function Clock(timezone, onDayChange) {
    this.timezone = timezone || "Asia/Jakarta";
    this.onDayChange = onDayChange;
    this.day = null;
    this.hm = byId("clock-hm");
    this.sec = byId("clock-s");
    this.tz = byId("clock-tz");
    this.date = byId("clock-date");
    this.build();
    this.tick();
  }

  Clock.prototype.build = function () {
    var locale = settings.lang === "en" ? "en-GB" : "id-ID";
    var zone = this.timezone;
    try {
      this.timeFmt = new Intl.DateTimeFormat(locale, {
        timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
      });
    } catch (err) {  // an unknown zone: the browser's own
      zone = undefined;
      this.timeFmt = new Intl.DateTimeFormat(locale, {
        hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
      });
    }
    this.dateFmt = new Intl.DateTimeFormat(locale, {
      timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric"
    });
    this.dayFmt = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit"
    });
    var abbreviation = ZONE_NAMES[this.timezone];
    if (!abbreviation) {
      var parts = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" })
        .formatToParts(new Date());
      parts.forEach(function (p) { if (p.type === "timeZoneName") { abbreviation = p.value; } });
    }
    setText(this.tz, abbreviation || "");
  };

  Clock.prototype.setTimezone = function (timezone) {
    if (timezone && timezone !== this.timezone) {
      this.timezone = timezone;
      this.build();
      this.render(new Date());
    }
  };

  Clock.prototype.render = function (now) {
    var parts = {};
    this.timeFmt.formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
    setText(this.hm, parts.hour + "." + parts.minute);
    setText(this.sec, parts.second);
    setText(this.date, this.dateFmt.format(now));
    var day = this.dayFmt.format(now);
    if (this.day !== null && day !== this.day && this.onDayChange) { this.onDayChange(day); }
    this.day = day;
  };

  Clock.prototype.tick = function () {
    var self = this;
    var now = new Date();
    this.render(now);
    setTimeout(function () { self.tick(); }, 1000 - (now.getTime() % 1000) + 5);
  };

  /* ------------------------------------------------------------------ running text */
  var TICKER_SPEED = 110;  // pixels per second at 1920 wide: calm enough to read

  function Ticker() {
    this.track = byId("ticker-track");
    this.text = byId("ticker-text");
    var self = this;
    global.addEventListener("resize", function () { self.restart(); });
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(function () { self.restart(); });
    }
    this.restart();
  }

  Ticker.prototype.set = function (value) {
    var text = typeof value === "string" ? value : "";
    if (this.text.textContent === text) { return; }
    this.text.textContent = text;
    this.restart();
  };

  Ticker.prototype.restart = function () {
    if (!this.track || !this.text) { return; }
    var from = this.track.clientWidth;
    var width = this.text.scrollWidth;
    var scale = global.innerWidth / 1920;
    var seconds = Math.max(8, (from + width) / (TICKER_SPEED * Math.max(scale, 0.5)));
    this.text.style.setProperty("--ticker-from", from + "px");
    this.text.style.setProperty("--ticker-to", -width + "px");
    this.text.style.animationDuration = seconds.toFixed(1) + "s";
    // Start with the text already at the left edge, so it is readable at once.
    this.text.style.animationDelay = (-seconds * from / (from + width)).toFixed(2) + "s";
    this.text.classList.remove("is-running");
    void this.text.offsetWidth;  // restart the CSS animation from the right edge
    this.text.classList.add("is-running");
  };

  /* ------------------------------------------------------------------ calls */
  /** Which call ids this screen has already taken in, so a resync never flashes one twice. */
  function CallLedger() {
    this.seen = {};
    this.maxId = 0;
    this.count = 0;
  }

  CallLedger.prototype.has = function (call) { return !!this.seen[call.id]; };

  CallLedger.prototype.add = function (call) {
    if (this.seen[call.id]) { return false; }
    this.seen[call.id] = true;
    this.count += 1;
    if (call.id > this.maxId) { this.maxId = call.id; }
    return true;
  };

  CallLedger.prototype.reset = function () {
    this.seen = {};
    this.maxId = 0;
    this.count = 0;
  };

  var CATCH_UP_SECONDS = 120;

  /** From a snapshot's calls (newest first): those this screen missed while offline and that
   * are still fresh enough to announce, oldest first. Marks every call as seen. */
  CallLedger.prototype.catchUp = function (calls, snapshotAt, firstSnapshot) {
    var fresh = [];
    var now = Date.parse(snapshotAt || "") || Date.now();
    var self = this;
    var newestSnapshotId = calls.length ? calls[0].id : 0;
    if (newestSnapshotId && newestSnapshotId < this.maxId) {
      this.reset();  // the hub's history was reset (a new database): start over quietly
      firstSnapshot = true;
    }
    calls.slice().reverse().forEach(function (call) {
      var isNew = self.add(call);
      var age = (now - (Date.parse(call.at || "") || 0)) / 1000;
      if (isNew && !firstSnapshot && age <= CATCH_UP_SECONDS) { fresh.push(call); }
    });
    return fresh;
  };

  /** Keep the newest call of each ticket, newest first, at most `limit`. */
  function mergeCalls(existing, incoming, limit) {
    var all = existing.concat(incoming);
    all.sort(function (a, b) { return b.id - a.id; });
    var out = [];
    var byTicket = {};
    var byId = {};
    all.forEach(function (call) {
      if (byId[call.id] || byTicket[call.ticket]) { return; }
      byId[call.id] = true;
      byTicket[call.ticket] = true;
      out.push(call);
    });
    return out.slice(0, limit);
  }

  function isToday(call, day) {
    return !day || !call.at || String(call.at).slice(0, 10) === day;
  }

  /** Whether calls are flashing now (a burst counts as one busy stretch): the media area
   * (signage.js) listens, to step back while the call panel has the screen. */
  var busyListeners = [];
  var busyNow = false;
  function callsBusy(busy) {
    if (busy === busyNow) { return; }
    busyNow = busy;
    busyListeners.forEach(function (fn) {
      try { fn(busy); } catch (err) { if (global.console) { global.console.error(err); } }
    });
  }
  function onCallsBusy(fn) { busyListeners.push(fn); }

  /** Shows calls one at a time, each with its own flash: a burst is queued, never dropped.
   * `render(call, flashing)` draws; `settle(call)` leaves it highlighted after its flash. */
  function FlashQueue(seconds, render, settle) {
    this.ms = Math.max(500, (seconds || 4) * 1000);
    this.render = render;
    this.settle = settle;
    this.queue = [];
    this.current = null;
    this.timer = null;
    this.log = [];
    global.__loketFlashLog = this.log;
  }

  FlashQueue.prototype.push = function (call) {
    this.queue.push(call);
    if (!this.timer) { this.next(); }
  };

  FlashQueue.prototype.pending = function () { return this.queue.length; };

  FlashQueue.prototype.next = function () {
    var self = this;
    this.timer = null;
    var call = this.queue.shift();
    if (!call) {
      if (this.current) { this.settle(this.current); }
      callsBusy(false);
      return;
    }
    this.current = call;
    this.log.push(call.ticket);
    if (this.log.length > 200) { this.log.splice(0, this.log.length - 200); }  // weeks on a wall
    this.render(call, true);
    callsBusy(true);
    // A long backlog (many counters at once) shortens each flash, but every call keeps one.
    var ms = this.queue.length >= 3 ? Math.max(1500, this.ms / 2) : this.ms;
    this.timer = setTimeout(function () { self.next(); }, ms);
  };

  FlashQueue.prototype.clear = function () {
    if (this.timer) { clearTimeout(this.timer); }
    this.timer = null;
    this.queue = [];
    this.current = null;
    callsBusy(false);
  };

  /* ------------------------------------------------------------------ connection */
  /** Connect to the hub's /display namespace with gentle, jittered reconnects (fifty screens
   * coming back after a restart spread over a couple of seconds instead of one instant). */
  function connect(auth, handlers) {
    var badge = byId("reconnect");
    var screen = byId("screen");
    var socket = global.io("/display", {
      auth: auth,
      reconnection: true,
      reconnectionDelay: 400,
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.5,
      timeout: 5000
    });
    var offlineTimer = null;
    function offline() {
      show(badge, true);
      if (screen) { screen.classList.add("is-offline"); }
      global.__loketOnline = false;
    }
    function online() {
      if (offlineTimer) { clearTimeout(offlineTimer); offlineTimer = null; }
      show(badge, false);
      if (screen) { screen.classList.remove("is-offline"); }
      global.__loketOnline = true;
    }
    socket.on("connect", online);
    socket.on("disconnect", function (reason) {
      offline();
      if (reason === "io server disconnect") { socket.connect(); }  // the hub hung up: retry
    });
    socket.on("connect_error", function () {
      // Only the first try can be slow; a failed first connection shows the badge too.
      if (!offlineTimer && !socket.connected) { offlineTimer = setTimeout(offline, 1500); }
    });
    Object.keys(handlers).forEach(function (name) {
      socket.on(name, function (data) {
        try {
          handlers[name](data || {});
        } catch (err) {
          if (global.console) { global.console.error("display: " + name, err); }
        }
      });
    });
    socket.on("hall", function () {
      // The hall's configuration changed (/admin): services, counters or the calendar. Ask
      // for a fresh snapshot (spread over half a second; retried when throttled).
      function ask(tries) {
        socket.emit("snapshot", auth || {}, function (snap) {
          if (snap && snap.error) {
            if (tries > 0) { setTimeout(function () { ask(tries - 1); }, 1000); }
            return;
          }
          if (snap && handlers.snapshot) { handlers.snapshot(snap); }
        });
      }
      setTimeout(function () { ask(3); }, Math.random() * 500);
    });
    global.__loketSocket = socket;
    return socket;
  }

  /* The pointer is hidden on a wall screen; it shows while someone moves a mouse. */
  var pointerTimer = null;
  document.addEventListener("mousemove", function () {
    document.body.classList.add("has-pointer");
    clearTimeout(pointerTimer);
    pointerTimer = setTimeout(function () { document.body.classList.remove("has-pointer"); }, 4000);
  });

  global.LoketDisplay = {
    settings: settings,
    t: t,
    byId: byId,
    setText: setText,
    show: show,
    fromTemplate: fromTemplate,
    markRender: markRender,
    forgetRenders: forgetRenders,
    Clock: Clock,
    Ticker: Ticker,
    CallLedger: CallLedger,
    mergeCalls: mergeCalls,
    isToday: isToday,
    FlashQueue: FlashQueue,
    onCallsBusy: onCallsBusy,
    callsBusy: function () { return busyNow; },
    connect: connect
  };
}(window));
