/* The admin pages: every form sends JSON to the admin API (with the CSRF token) and shows a
   refusal next to the field it names, in the page's language where the server gives one.
   Text goes in with textContent only. */
"use strict";
(function () {
  var strings = JSON.parse(document.getElementById("adm-strings").textContent);
  var status = document.getElementById("adm-status");

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function value(input) {
    var raw = input.value.trim();
    switch (input.dataset.kind) {
      case "int": return raw === "" ? null : (/^-?\d+$/.test(raw) ? parseInt(raw, 10) : raw);
      case "lines": return raw.split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
      case "list": return raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      default: return raw;
    }
  }

  function bodyOf(form) {
    if (form.dataset.body) { return JSON.parse(form.dataset.body); }
    var body = {};
    form.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (input) {
      if (input.disabled) { return; }
      var v = value(input);
      if (form.dataset.method === "POST" && (v === "" || v === null ||
          (Array.isArray(v) && v.length === 0))) { return; }
      if (input.type === "password" && v === "") { return; }
      body[input.name] = v;
    });
    return body;
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (p) { p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var general = document.getElementById(form.id + "-form-error");
    if (general) { general.textContent = ""; }
  }

  function showError(form, data) {
    var slot = data.field ? form.querySelector('[data-error-for="' + CSS.escape(data.field) + '"]') : null;
    var message = data.message || strings["adm.error"];
    if (slot) {
      slot.textContent = message;
      var input = form.querySelector('[name="' + CSS.escape(data.field) + '"]');
      if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
      status.textContent = strings["adm.error"];
    } else {
      var general = document.getElementById(form.id + "-form-error");
      if (general) { general.textContent = message; }
      status.textContent = message;
    }
  }

  document.querySelectorAll("form.adm-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.confirm && !window.confirm(strings["adm.confirm_delete"])) { return; }
      clearErrors(form);
      var method = form.dataset.method;
      var options = { method: method, credentials: "same-origin",
                      headers: { "X-CSRFToken": csrf(), Accept: "application/json" } };
      if (method !== "DELETE") {
        options.headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(bodyOf(form));
      }
      fetch(form.dataset.url, options).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) { showError(form, data); return; }
          status.textContent = strings["adm.saved"];
          if (form.dataset.keep && data.token) {
            document.getElementById(form.id + "-shown").hidden = false;
            document.getElementById(form.id + "-value").textContent = data.token;
            return;
          }
          if (method !== "PATCH" || form.dataset.body) {
            window.location.hash = form.closest("section").id;
            window.location.reload();
          }
        });
      }).catch(function () { status.textContent = strings["adm.error"]; });
    });
  });
}());
