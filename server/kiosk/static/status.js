/* A citizen's phone following one ticket: /status Socket.IO namespace with the status token.
 * "ticket" events change the status; "queue" events that touch this ticket's service are
 * answered with a "refresh" whose acknowledgement carries people ahead and the estimate. */
(function () {
  "use strict";

  var card = document.getElementById("status-card");
  var token = card.dataset.token;
  var lang = card.dataset.lang;
  var words = JSON.parse(document.getElementById("status-words").textContent);
  var kioskWords = JSON.parse(document.getElementById("status-kiosk-words").textContent);
  var services = JSON.parse(document.getElementById("status-services").textContent);
  var current = JSON.parse(document.getElementById("status-initial").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var lastWaiting = null, refreshTimer = null, audio = null;

  function w(table, key, params) {
    var text = table[key] || key;
    Object.keys(params || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(params[k]));
    });
    return text;
  }
  function s(key, params) { return w(words, "status." + key, params); }
  function k(key, params) { return w(kioskWords, "kiosk." + key, params); }

  function describe(est) {
    if (!est) { return ""; }
    if (est.text) { return est.text; }
    var unit = k("minutes");
    if (est.minutes === 0 && est.low_min === 0) {
      return k("soon") + " (0–" + est.high_min + " " + unit + ")";
    }
    return "± " + est.minutes + " " + unit + " (" + est.low_min + "–" + est.high_min + " " + unit + ")";
  }

  /* Change a text only when it differs, so a live region speaks only real changes. */
  function setText(id, text) { if ($(id).textContent !== text) { $(id).textContent = text; } }

  function render() {
    var st = current.status;
    card.dataset.status = st;
    setText("status-number", current.ticket);
    setText("status-service", services[current.service] || current.service);
    setText("status-badge", s(st));
    $("status-badge").className = "status-badge badge-" + st;
    var called = st === "called" || st === "serving";
    // The alert region stays in the page; filling it is what announces the call.
    setText("status-call-text", !called ? "" : st === "called"
      ? s("go_to", { counter: current.counter_name || "" })
      : s("serving_at", { counter: current.counter_name || "" }));
    $("status-wait").hidden = st !== "waiting";
    if (st === "waiting") {
      setText("status-ahead", current.ahead ? k("ahead", { n: current.ahead }) : k("ahead_none"));
      setText("status-estimate", current.estimate
        ? k("estimate") + ": " + describe(current.estimate) : "");
    } else {
      setText("status-ahead", "");
      setText("status-estimate", "");
    }
    setText("status-note", st === "done" ? s("done_text")
      : st === "no_show" ? s("no_show_text") : current.stale ? s("old") : "");
    $("status-survey").hidden = st !== "done";
    var over = st === "done" || st === "no_show";
    $("status-sound").hidden = over;  // nothing more will be called
    $("status-keep").hidden = over;
    $("status-help-box").hidden = st === "done";
    document.title = current.ticket + " · " + s(st);
  }

  function unlockSound() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx && !audio) { audio = new Ctx(); }
      if (audio && audio.state === "suspended") { audio.resume(); }
      setText("status-sound", s("sound_on"));
      $("status-sound").classList.add("on");
    } catch (e) { audio = null; }
  }

  function chime() {
    if (navigator.vibrate) {
      try { navigator.vibrate([400, 150, 400, 150, 400]); } catch (e) { /* not allowed */ }
    }
    if (!audio) { return; }
    [0, 0.45].forEach(function (offset, i) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      var at = audio.currentTime + offset;
      osc.frequency.value = i ? 660 : 880;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.5, at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.4);
      osc.connect(gain).connect(audio.destination);
      osc.start(at);
      osc.stop(at + 0.42);
    });
  }

  function apply(update) {
    var before = current.status, beforeCall = current.called_at;
    Object.keys(update).forEach(function (key) { current[key] = update[key]; });
    if (current.status !== "waiting") { delete current.ahead; }
    render();
    var callNow = current.status === "called" &&
      (before !== "called" || (update.recall && current.called_at === beforeCall));
    if (callNow) { chime(); }
    if (current.status === "waiting" && (before !== "waiting" || update.service)) { refreshSoon(0); }
  }

  var socket = null;
  function refresh() {
    if (!socket || current.status !== "waiting") { return; }
    socket.emit("refresh", { token: token, lang: lang }, function (status) {
      if (!status || status.error) {
        if (status && status.error === "too_soon") { refreshSoon(status.retry_s * 1000); }
        return;
      }
      apply(status);
    });
  }
  function refreshSoon(delay) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, delay === undefined ? 300 + Math.random() * 1200 : delay);
  }

  function connect() {
    if (typeof io === "undefined") { return; }
    socket = io("/status", { auth: { token: token }, transports: ["websocket", "polling"] });
    socket.on("ticket", function (data) { apply(data); });
    socket.on("hall", function () { refreshSoon(); }); // a renamed counter or service
    socket.on("queue", function (payload) {
      var mine = (payload.services || []).filter(function (e) { return e.prefix === current.service; })[0];
      if (!mine) { return; }
      if (lastWaiting !== null && mine.waiting !== lastWaiting) { refreshSoon(); }
      lastWaiting = mine.waiting;
    });
    socket.on("connect", function () {
      setText("status-live", s("live"));
      $("status-live").classList.remove("offline");
      lastWaiting = null; // the server sends this ticket's status again on connect
    });
    socket.on("disconnect", function () {
      setText("status-live", s("offline"));
      $("status-live").classList.add("offline");
    });
  }

  $("status-help").addEventListener("click", function () {
    var open = $("status-help-form").hidden;
    $("status-help-form").hidden = !open;
    $("status-help").setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { $("status-help-where").focus(); }
  });
  $("status-help-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var send = $("status-help-form").querySelector("button[type=submit]");
    send.disabled = true;
    fetch("/api/assistance?lang=" + lang, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ status_token: token, where: $("status-help-where").value })
    }).then(function (r) {
      if (r.status !== 201 && r.status !== 429) { throw new Error(r.status); }
      $("status-help-result").className = "status-help-result";
      $("status-help-result").textContent = r.status === 429 ? k("help_limited") : k("help_sent");
      $("status-help-form").hidden = true;
      $("status-help").setAttribute("aria-expanded", "false");
    }).catch(function () {
      $("status-help-result").className = "status-help-result failed";
      $("status-help-result").textContent = k("help_failed");
    }).then(function () { send.disabled = false; });
  });
  $("status-sound").addEventListener("click", unlockSound);
  document.addEventListener("pointerdown", function () { if (!audio) { unlockSound(); } },
                            { once: true });
  render();
  connect();
}());
