/* The status page's notice options (server/notify): opt in to WhatsApp/SMS notices, and show
 * a system notification (Notification API) when the ticket is called while the page is open.
 * status.js already vibrates and chimes; this file only watches #status-card's data-status,
 * so status.js needs no change. */
(function () {
  "use strict";

  var card = document.getElementById("status-card");
  var section = document.getElementById("notify-status");
  if (!card || !section) { return; }
  var words = JSON.parse(document.getElementById("notify-words").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var token = card.dataset.token, lang = card.dataset.lang || "id";
  var form = $("notify-form"), result = $("notify-result"), system = $("notify-system");
  var saved = false, last = card.dataset.status;

  function w(key, params) {
    var text = words[key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(params[k]); });
    return text;
  }

  function active() {
    var st = card.dataset.status;
    return st === "waiting" || st === "called" || st === "serving";
  }

  function notifyCalled() {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    var text = ($("status-call-text") && $("status-call-text").textContent) || "";
    var number = ($("status-number") && $("status-number").textContent) || "";
    try {
      new Notification(w("notify.called_title") + " " + number, {
        body: text, tag: "loket-call", renotify: true, requireInteraction: true
      });
    } catch (e) { /* Android Chrome allows it only from a service worker: the chime remains */ }
  }

  function update() {
    var st = card.dataset.status;
    if (form) { form.hidden = saved || !active(); }
    if (system) { system.hidden = !active() || !("Notification" in window) || Notification.permission !== "default"; }
    if (st === "called" && last !== "called") { notifyCalled(); }
    last = st;
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = $("notify-form-error");
      error.textContent = "";
      fetch("/api/tickets/status/" + encodeURIComponent(token) + "/notify?lang=" + lang, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ phone: form.elements.phone.value })
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (res) {
        if (res.ok) {
          saved = true;
          result.textContent = w("notify.saved", { phone: res.body.phone });
          update();
          result.focus && result.setAttribute("tabindex", "-1");
          result.focus();
        } else {
          error.textContent = (res.body && res.body.message) || w("notify.failed");
          form.elements.phone.focus();
        }
      }).catch(function () { error.textContent = w("notify.failed"); });
    });
  }

  if (system) {
    system.addEventListener("click", function () {
      Notification.requestPermission().then(function (permission) {
        result.textContent = permission === "granted" ? w("notify.system_on") : w("notify.system_denied");
        update();
      });
    });
  }

  new MutationObserver(update).observe(card, { attributes: true, attributeFilter: ["data-status"] });
  update();
}());
