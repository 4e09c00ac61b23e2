/* The kiosk's help on request ("Butuh Bantuan") and accessible mode ("Mode mudah": large text,
 * high contrast, every control in the lower half, each screen's prompt and the ticket number
 * spoken in the hall's voice through the page's <audio> element). Loaded after kiosk.js, whose
 * window.LoketKiosk it uses. docs/accessibility.md. */
(function (K) {
  "use strict";
  if (!K) { return; }
  var settings = K.settings, state = K.state, $ = K.$, t = K.t, show = K.show;
  var current = K.current, startScreen = K.startScreen;
  function touched() { K.touched(); }
  var helpTimer = null, voiceQueue = [];
  state.beforeHelp = null;
  state.helpSent = false;

  /* ---------------------------------------------------------------- help on request */
  function postHelp(body) {
    if (settings.kiosk) { body.kiosk = settings.kiosk; }
    return fetch("/api/assistance?lang=" + settings.lang, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) { return r.status; });
  }

  function openHelp() {
    if (current() !== "help") { state.beforeHelp = current(); }
    state.helpSent = false;
    $("help-result").textContent = "";
    document.querySelectorAll(".place-choice").forEach(function (b) { b.removeAttribute("aria-disabled"); });
    show("help");
  }

  function closeHelp() {
    clearTimeout(helpTimer);
    show(state.beforeHelp || startScreen());
  }

  function sendHelp(btn) {
    if (state.helpSent || btn.getAttribute("aria-disabled") === "true") { return; }
    state.helpSent = true;
    var body = { where: btn.querySelector(".choice-name").textContent };
    if (state.beforeHelp === "ticket" && state.ticket) { body.status_token = state.ticket.status_token; }
    document.querySelectorAll(".place-choice").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
    postHelp(body).then(function (status) {
      if (status !== 201 && status !== 429) { throw new Error(status); }
      $("help-result").className = "help-result";
      $("help-result").textContent = status === 429 ? t("help_limited") : t("help_sent");
      document.body.dataset.help = "sent";
      if (state.easy) { speak(["/kiosk/speech/help_sent.wav?lang=" + settings.lang]); }
      clearTimeout(helpTimer);
      helpTimer = setTimeout(function () { if (current() === "help") { closeHelp(); } }, 15000);
    }).catch(function () {
      state.helpSent = false;
      $("help-result").className = "help-result failed";
      $("help-result").textContent = t("help_failed");
      document.querySelectorAll(".place-choice").forEach(function (b) { b.removeAttribute("aria-disabled"); });
    });
  }

  function helpOnCall() {
    var btn = $("help-on-call");
    if (!state.ticket || btn.getAttribute("aria-pressed") === "true") { return; }
    btn.setAttribute("aria-disabled", "true");
    postHelp({ status_token: state.ticket.status_token, on_call: true,
               where: t("place.waiting") }).then(function (status) {
      if (status !== 201) { throw new Error(status); }
      btn.setAttribute("aria-pressed", "true");
      $("help-call-state").textContent = t("help_on_call_done");
    }).catch(function () {
      btn.removeAttribute("aria-disabled");
      $("help-call-state").textContent = t("help_failed");
    });
  }

  /* ---------------------------------------------------------------- accessible mode */
  function speak(urls) {
    var audio = $("kiosk-voice");
    voiceQueue = urls.slice(1);
    audio.src = urls[0];
    document.body.dataset.spoken = urls[0];
    var playing = audio.play();
    if (playing && playing.catch) { playing.catch(function () { /* blocked: text is shown */ }); }
  }

  function speakScreen(name) {
    if (name === "ticket" && state.ticket) {
      speak(["/kiosk/speech/ticket/" + encodeURIComponent(state.ticket.status_token) +
             ".wav?lang=" + settings.lang]);
    } else {
      speak(["/kiosk/speech/" + name + ".wav?lang=" + settings.lang]);
    }
  }

  function setEasy(on) {
    state.easy = on;
    document.body.classList.toggle("easy", on);
    document.documentElement.classList.toggle("kiosk-easy", on);
    $("easy-toggle").setAttribute("aria-pressed", on ? "true" : "false");
    $("voice-repeat").hidden = !on;
    var screen = current();
    $("tool-back").hidden = !(on && backVisible(screen));
    if (on) {
      speak(["/kiosk/speech/easy_on.wav?lang=" + settings.lang,
             screen === "ticket" && state.ticket
               ? "/kiosk/speech/ticket/" + encodeURIComponent(state.ticket.status_token) + ".wav?lang=" + settings.lang
               : "/kiosk/speech/" + screen + ".wav?lang=" + settings.lang]);
    } else {
      $("kiosk-voice").pause();
      voiceQueue = [];
    }
    touched();
  }

  function goBack() {
    var screen = current();
    if (screen === "service") { $("back-to-agency").click(); }
    else if (screen === "confirm") { $("back-to-service").click(); }
    else if (screen === "help") { closeHelp(); }
    else if (screen === "booked") { $("booked-cancel").click(); }  // kiosk-booking.js
  }

  function backVisible(name) {
    return { service: !$("back-to-agency").hidden, confirm: true, help: true, booked: true }[name]
      || false;
  }

  K.hooks.show.push(function (name, quiet) {
    $("tool-back").hidden = !(state.easy && backVisible(name));
    if (state.easy && !quiet) { speakScreen(name); }
  });
  K.hooks.reset.push(function () {
    clearTimeout(helpTimer);
    if (state.easy) { setEasy(false); }
  });
  K.hooks.idle.push(function () {
    if (state.easy) { speak(["/kiosk/speech/idle.wav?lang=" + settings.lang]); }
  });

  $("help-btn").addEventListener("click", openHelp);
  $("help-cancel").addEventListener("click", closeHelp);
  $("help-on-call").addEventListener("click", helpOnCall);
  document.querySelectorAll(".place-choice").forEach(function (btn) {
    btn.addEventListener("click", function () { sendHelp(btn); });
  });
  $("easy-toggle").addEventListener("click", function () { setEasy(!state.easy); });
  $("voice-repeat").addEventListener("click", function () { speakScreen(current()); });
  $("tool-back").addEventListener("click", goBack);
  $("kiosk-voice").addEventListener("playing", function () {
    document.body.dataset.voicePlayed = String(Number(document.body.dataset.voicePlayed || 0) + 1);
  });
  $("kiosk-voice").addEventListener("ended", function () {
    if (voiceQueue.length) { speak(voiceQueue); }
  });
}(window.LoketKiosk));
