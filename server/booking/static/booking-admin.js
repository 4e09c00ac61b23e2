/* The admin page's booking sessions: the table's rows (less those marked for removal, plus
 * the new row when a service is chosen) replace [[booking.sessions]] through
 * PUT /api/admin/booking/sessions (CSRF token); a refusal is shown under the table. */
"use strict";
(function () {
  var form = document.getElementById("badm-form");
  if (!form || !document.getElementById("badm-save")) { return; }
  var error = document.getElementById("badm-error");
  var status = document.getElementById("adm-status");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function rows() {
    var out = [];
    form.querySelectorAll("tr.badm-row").forEach(function (tr) {
      var get = function (name) { return tr.querySelector('[name="' + name + '"]'); };
      if (get("remove") && get("remove").checked) { return; }
      if (tr.dataset.new === "1" && !get("service").value) { return; }
      out.push({
        service: get("service").value,
        days: get("days").value.trim(),
        start: get("start").value,
        end: get("end").value,
        slot_minutes: parseInt(get("slot_minutes").value, 10),
        capacity: parseInt(get("capacity").value, 10),
        requires_nik: get("requires_nik").checked,
        outreach: get("outreach").checked
      });
    });
    return out;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    fetch("/api/admin/booking/sessions", {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ sessions: rows() })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          error.textContent = data.message || response.statusText;
          if (status) { status.textContent = error.textContent; }
          return;
        }
        window.location.hash = "booking";
        window.location.reload();
      });
    }).catch(function () { error.textContent = "…"; });
  });
}());
