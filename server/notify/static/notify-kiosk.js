/* WhatsApp/SMS opt-in on the kiosk (server/notify): after a ticket is shown, offer notices
 * and take the number on a large on-screen pad. Self-contained: it watches the ticket screen
 * (#screen-ticket) and reads the ticket's status link from #ticket-qr's data-status-url, so
 * kiosk.js needs no change. */
(function () {
  "use strict";

  var offer = document.getElementById("notify-offer");
  var screen = document.getElementById("screen-ticket");
  if (!offer || !screen) { return; }
  var words = JSON.parse(document.getElementById("notify-words").textContent);
  var settingsEl = document.getElementById("kiosk-settings");
  var lang = (settingsEl && JSON.parse(settingsEl.textContent).lang) ||
    document.documentElement.lang || "id";
  var $ = function (id) { return document.getElementById(id); };
  var qr = $("ticket-qr"), pad = $("notify-pad"), form = $("notify-pad-form");
  var input = $("notify-pad-phone"), error = $("notify-pad-error"), result = $("notify-result");
  var yes = $("notify-yes"), no = $("notify-no"), question = $("notify-offer-text");
  var token = null, busy = false;

  function w(key, params) {
    var text = words[key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(params[k]); });
    return text;
  }

  // The offer sits in the ticket card, above its buttons.
  var card = screen.querySelector(".ticket-card");
  if (card) { card.insertBefore(offer, card.querySelector(".ticket-actions")); }

  function tokenOf() {
    var match = /\/t\/([A-Za-z0-9_\-]+)/.exec((qr && qr.dataset.statusUrl) || "");
    return match ? match[1] : null;
  }

  function reset() {
    closePad(false);
    result.textContent = "";
    result.className = "notify-result";
    question.hidden = yes.hidden = no.hidden = false;
  }

  function onScreen() {
    if (screen.hidden) { reset(); offer.hidden = true; token = null; return; }
    var current = tokenOf();
    if (current && current !== token) {
      token = current;
      reset();
      offer.hidden = false;
    }
  }

  function openPad() {
    pad.hidden = false;
    input.value = "";
    error.textContent = "";
    input.focus();
  }

  function closePad(restoreFocus) {
    if (pad.hidden) { return; }
    pad.hidden = true;
    if (restoreFocus !== false && !yes.hidden) { yes.focus(); }
  }

  function press(key) {
    error.textContent = "";
    if (key === "del") {
      input.value = input.value.slice(0, -1);
    } else if (key === "+") {
      if (!input.value) { input.value = "+"; }
    } else if (input.value.length < 16) {
      input.value += key;
    }
    input.focus();
  }

  function send(event) {
    event.preventDefault();
    if (busy || !token) { return; }
    busy = true;
    $("notify-pad-send").disabled = true;
    $("notify-pad-send").textContent = w("notify.saving");
    fetch("/api/tickets/status/" + encodeURIComponent(token) + "/notify?lang=" + lang, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ phone: input.value })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (res.ok) {
        closePad(false);
        question.hidden = yes.hidden = no.hidden = true;
        result.className = "notify-result ok";
        result.textContent = w("notify.saved", { phone: res.body.phone });
      } else {
        error.textContent = (res.body && res.body.message) || w("notify.failed");
        input.focus();
      }
    }).catch(function () {
      error.textContent = w("notify.failed");
    }).then(function () {
      busy = false;
      $("notify-pad-send").disabled = false;
      $("notify-pad-send").textContent = w("notify.send");
    });
  }

  new MutationObserver(onScreen).observe(screen, { attributes: true, attributeFilter: ["hidden"] });
  if (qr) {
    new MutationObserver(onScreen).observe(qr, { attributes: true, attributeFilter: ["data-status-url"] });
  }
  yes.addEventListener("click", openPad);
  no.addEventListener("click", function () { offer.hidden = true; });
  $("notify-pad-cancel").addEventListener("click", function () { closePad(); });
  form.addEventListener("submit", send);
  Array.prototype.forEach.call(pad.querySelectorAll(".notify-key"), function (button) {
    button.addEventListener("click", function () { press(button.dataset.key); });
  });
  input.addEventListener("input", function () {
    input.value = input.value.replace(/[^0-9+ ]/g, "").slice(0, 20);
  });
  pad.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closePad(); return; }
    if (event.key !== "Tab") { return; }
    // Keep focus inside the dialog while it is open.
    var focusable = pad.querySelectorAll("button, input");
    var first = focusable[0], last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { last.focus(); event.preventDefault(); }
    else if (!event.shiftKey && document.activeElement === last) { first.focus(); event.preventDefault(); }
  });
  onScreen();
}());
