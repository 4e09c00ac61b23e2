/* The kiosk's idle reset, announced: after [kiosk] idle_timeout_s without a touch (doubled in
 * Mode mudah) the kiosk returns to its start, the hall's language and the normal mode; up to
 * 20 s before, a dialog asks "Masih di sini?" with a "Saya masih di sini" button (any touch or
 * key counts too). Loaded after kiosk.js. docs/accessibility.md. */
(function (K) {
  "use strict";
  if (!K) { return; }
  var settings = K.settings, state = K.state, $ = K.$, t = K.t, current = K.current;
  var startScreen = K.startScreen, reset = K.reset, defaultLang = K.defaultLang;
  var idleTimer = null, warnTimer = null, countdown = null, lastFocus = null;
  function emit(name) { K.hooks[name].forEach(function (fn) { fn(); }); }

  function atRest() {
    return current() === startScreen() && !state.easy && settings.lang === defaultLang;
  }

  function idleSeconds() { return settings.idle_timeout_s * (state.easy ? 2 : 1); }

  function showIdle() {
    if (atRest()) { return; }
    var left = Math.round(Math.min(20, idleSeconds() / 2));
    lastFocus = document.activeElement;
    $("idle-text").textContent = t("idle_text", { s: left });
    $("idle-dialog").hidden = false;
    $("kiosk-app").inert = true;
    $("kiosk-bar").inert = true;
    document.body.dataset.idle = "warning";
    $("still-here").focus();
    emit("idle");
    clearInterval(countdown);
    countdown = setInterval(function () {
      left = Math.max(0, left - 1);
      $("idle-text").textContent = t("idle_text", { s: left });
    }, 1000);
  }

  function hideIdle() {
    clearInterval(countdown);
    if ($("idle-dialog").hidden) { return; }
    $("idle-dialog").hidden = true;
    $("kiosk-app").inert = false;
    $("kiosk-bar").inert = false;
    delete document.body.dataset.idle;
    if (lastFocus && document.contains(lastFocus) && lastFocus !== document.body) {
      lastFocus.focus();
    } else {
      var heading = $("screen-" + current()).querySelector("h1");
      if (heading) { heading.focus(); }
    }
  }

  function touched() {
    clearTimeout(idleTimer);
    clearTimeout(warnTimer);
    hideIdle();
    var total = idleSeconds();
    var lead = Math.min(20, total / 2);
    warnTimer = setTimeout(showIdle, (total - lead) * 1000);
    idleTimer = setTimeout(function () { if (!atRest()) { reset(); } }, total * 1000);
  }

  K.touched = touched;
  K.hooks.reset.push(hideIdle);
  $("still-here").addEventListener("click", touched);
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true });
  });
  touched();
}(window.LoketKiosk));
