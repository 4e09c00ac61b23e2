/* One booking (/b/<token>): cancelling asks for confirmation, then calls
 * POST /api/bookings/<token>/cancel with the page's CSRF token and reloads the page, which
 * then shows the new status. */
(function () {
  "use strict";
  var card = document.getElementById("booking-view");
  var form = document.getElementById("cancel-form");
  if (!card || !form) { return; }
  var words = JSON.parse(document.getElementById("booking-words").textContent);
  var token = card.dataset.token, lang = card.dataset.lang;
  var busy = false;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy || !window.confirm(words["bpage.cancel_confirm"])) { return; }
    busy = true;
    var error = document.getElementById("cancel-error");
    var csrf = form.querySelector('input[name="csrf_token"]').value;
    fetch("/api/bookings/" + encodeURIComponent(token) + "/cancel?lang=" + lang, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: "{}"
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
    }).then(function (res) {
      busy = false;
      if (res.status === 200) {
        card.dataset.status = "cancelled";
        window.location.replace(window.location.pathname + "?lang=" + lang);
        return;
      }
      error.textContent = res.data.message || words["bpage.failed"];
      error.hidden = false;
    }).catch(function () {
      busy = false;
      error.textContent = words["bpage.failed"];
      error.hidden = false;
    });
  });
}());
