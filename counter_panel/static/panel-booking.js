/* The officer's "Check-in reservasi": a booking code (typed, or a QR read by a scanner that
 * types like a keyboard) checks a citizen in from the counter's panel through the officer
 * check-in endpoint; the answer (a new booked ticket or the reason it was refused) is said in
 * the form's status line. The "Reservasi" badge of the current ticket is drawn by panel.js. */
(function () {
  "use strict";
  var form = document.getElementById("cp-checkin");
  var root = document.getElementById("counter-panel");
  if (!form || !root) { return; }
  var texts = JSON.parse(document.getElementById("cp-texts").textContent || "{}");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var lang = root.dataset.lang || "id";
  var input = document.getElementById("cp-checkin-code");
  var result = document.getElementById("cp-checkin-result");
  var busy = false;

  function t(key, params) {
    var text = texts["counter." + key] || key;
    Object.keys(params || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(params[name]));
    });
    return text;
  }

  function say(text, kind) {
    result.textContent = text;
    result.className = "cp-checkin-result" + (kind ? " " + kind : "");
    form.dataset.result = kind || "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value.trim();
    if (busy || !code) { return; }
    busy = true;
    say(t("checkin_busy"), "busy");
    var url = "/api/bookings/checkin?lang=" + lang;  // an officer's session: CSRF token
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ code: code })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
    }).then(function (res) {
      busy = false;
      if (res.status === 201 || res.status === 200) {
        input.value = "";
        say(t("checkin_done", { ticket: res.data.ticket || "" }), "ok");
        return;
      }
      say(res.data.message || t("checkin_failed"), "error");
      input.select();
    }).catch(function () {
      busy = false;
      say(t("checkin_failed"), "error");
    });
  });
}());
