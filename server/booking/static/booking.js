/* The citizen's booking page (/booking): agency -> service -> date -> slot -> details ->
 * code and QR. Slots come from GET /api/booking/slots, the booking is made with
 * POST /api/bookings (CSRF token in X-CSRFToken). Each step moves focus to its heading;
 * text goes in with textContent only. Phone-first: one column, large targets. */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("booking-settings").textContent);
  var words = JSON.parse(document.getElementById("booking-words").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var STEPS = ["agency", "service", "date", "slot", "details", "done"];
  var state = { agency: null, service: null, date: null, slot: null, busy: false };

  function t(key, params) {
    var text = words["bpage." + key] || key;
    Object.keys(params || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(params[k]));
    });
    return text;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function show(name, quiet) {
    STEPS.forEach(function (s) { $("step-" + s).hidden = s !== name; });
    document.body.dataset.step = name;
    var heading = $("step-" + name).querySelector("h1");
    if (heading && !quiet) { heading.focus(); }
    window.scrollTo(0, 0);
  }

  function choice(label, sub, onPick) {
    var btn = el("button", "bk-choice");
    btn.type = "button";
    btn.appendChild(el("span", "bk-choice-name", label));
    if (sub) { btn.appendChild(el("span", "bk-choice-sub", sub)); }
    btn.addEventListener("click", onPick);
    return btn;
  }

  function service() {
    var found = null;
    settings.agencies.forEach(function (a) {
      a.services.forEach(function (s) { if (s.prefix === state.service) { found = s; } });
    });
    return found;
  }

  function dayLabel(iso) {
    var found = settings.days.filter(function (d) { return d.date === iso; })[0];
    return found ? found.label : iso;
  }

  function renderAgencies() {
    var list = $("agency-list");
    list.replaceChildren();
    if (!settings.agencies.length) { list.appendChild(el("p", "bk-note", t("none"))); return; }
    settings.agencies.forEach(function (a) {
      list.appendChild(choice(a.name, "", function () { pickAgency(a.id); }));
    });
  }

  function pickAgency(id, quiet) {
    state.agency = id;
    var agency = settings.agencies.filter(function (a) { return a.id === id; })[0];
    var list = $("service-list");
    list.replaceChildren();
    agency.services.forEach(function (s) {
      var btn = choice(s.name, "", function () { pickService(s.prefix); });
      btn.dataset.service = s.prefix;
      list.appendChild(btn);
    });
    $("service-title").textContent = agency.name + " · " + t("pick_service");
    show("service", quiet);
  }

  function pickService(prefix) {
    state.service = prefix;
    $("date-service").textContent = service().name;
    var list = $("date-list");
    list.replaceChildren();
    settings.days.forEach(function (d) {
      var btn = choice(d.label, "", function () { pickDate(d.date); });
      btn.dataset.date = d.date;
      list.appendChild(btn);
    });
    show("date");
  }

  function pickDate(iso) {
    state.date = iso;
    $("slot-date").textContent = service().name + " · " + dayLabel(iso);
    $("slot-list").replaceChildren();
    $("slot-state").textContent = t("loading");
    show("slot");
    var q = new URLSearchParams({ service: state.service, date: iso, lang: settings.lang });
    fetch("/api/booking/slots?" + q.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
      })
      .then(function (res) {
        if (state.date !== iso) { return; }  // the citizen moved on meanwhile
        if (res.status !== 200) {
          $("slot-state").textContent = res.data.message || t("failed");
          return;
        }
        renderSlots(res.data.slots || []);
      })
      .catch(function () { $("slot-state").textContent = t("failed"); });
  }

  function renderSlots(slots) {
    var list = $("slot-list");
    list.replaceChildren();
    var open = slots.filter(function (s) { return s.available > 0; });
    $("slot-state").textContent = open.length ? "" : t("no_slots");
    slots.forEach(function (s) {
      var full = !(s.available > 0);
      var btn = el("button", "bk-slot" + (full ? " full" : ""));
      btn.type = "button";
      btn.dataset.start = s.start;
      btn.appendChild(el("span", "bk-slot-time", s.start + "–" + s.end));
      btn.appendChild(el("span", "bk-slot-left", full ? t("full") : t("left", { n: s.available })));
      if (full) {
        btn.setAttribute("aria-disabled", "true");
      } else {
        btn.addEventListener("click", function () { pickSlot(s); });
      }
      list.appendChild(btn);
    });
  }

  function pickSlot(slot) {
    state.slot = slot;
    var svc = service();
    $("details-chosen").textContent = t("chosen", { service: svc.name, date: dayLabel(state.date), start: slot.start });
    $("nik-field").hidden = !svc.nik;
    $("bk-nik").required = !!svc.nik;
    $("outreach-fields").hidden = !svc.outreach;
    $("bk-address").required = !!svc.outreach;
    $("bk-contact").required = !!svc.outreach;
    $("submit-error").hidden = true;
    show("details");
  }

  function fieldError(input, errorId, message) {
    $(errorId).textContent = message || "";
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    return !message;
  }

  function validate() {
    var svc = service(), ok = true, first = null;
    if (svc.nik) {
      var nik = $("bk-nik").value.replace(/\s+/g, "");
      if (!fieldError($("bk-nik"), "bk-nik-error", /^\d{16}$/.test(nik) ? "" : t("nik_invalid"))) {
        ok = false; first = first || $("bk-nik");
      }
    }
    if (svc.outreach) {
      [["bk-address", "bk-address-error"], ["bk-contact", "bk-contact-error"]].forEach(function (pair) {
        var input = $(pair[0]);
        if (!fieldError(input, pair[1], input.value.trim() ? "" : t("required"))) {
          ok = false; first = first || input;
        }
      });
    }
    if (first) { first.focus(); }
    return ok;
  }

  function submit(event) {
    event.preventDefault();
    if (state.busy || !validate()) { return; }
    var svc = service();
    var body = { service: state.service, date: state.date, start: state.slot.start };
    var phone = $("bk-phone").value.trim();
    if (phone) { body.phone = phone; }
    if (svc.nik) { body.nik = $("bk-nik").value.replace(/\s+/g, ""); }
    if (svc.outreach) {
      body.address = $("bk-address").value.trim();
      body.contact = $("bk-contact").value.trim();
    }
    state.busy = true;
    $("submit-btn").textContent = t("sending");
    $("submit-btn").setAttribute("aria-disabled", "true");
    fetch("/api/bookings?lang=" + settings.lang, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
    }).then(function (res) {
      state.busy = false;
      $("submit-btn").textContent = t("submit");
      $("submit-btn").removeAttribute("aria-disabled");
      if (res.status === 201) { done(res.data); return; }
      var msg = res.status === 429 ? t("rate_limited") : (res.data.message || t("failed"));
      $("submit-error").textContent = msg;
      $("submit-error").hidden = false;
      $("submit-error").dataset.error = res.data.error || String(res.status);
    }).catch(function () {
      state.busy = false;
      $("submit-btn").textContent = t("submit");
      $("submit-btn").removeAttribute("aria-disabled");
      $("submit-error").textContent = t("failed");
      $("submit-error").hidden = false;
    });
  }

  function done(booking) {
    var svc = service();
    var path = "/b/" + encodeURIComponent(booking.token);
    $("done-chosen").textContent = t("chosen", { service: svc.name, date: dayLabel(booking.date), start: booking.start });
    $("done-code").textContent = booking.code;
    $("done-qr").src = path + "/qr.svg";
    $("done-qr").alt = t("qr_alt", { code: booking.code });
    $("done-help").textContent = t("code_help", { before: settings.checkin_before_min, after: settings.checkin_after_min });
    $("done-link").href = path + "?lang=" + settings.lang;
    $("bk-nik").value = "";  // nothing personal stays in the page
    $("bk-phone").value = "";
    $("bk-address").value = "";
    $("bk-contact").value = "";
    show("done");
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-back]"), function (btn) {
    btn.addEventListener("click", function () {
      var to = btn.dataset.back;
      if (to === "agency" && settings.agencies.length === 1) { to = "service"; }
      if (to === "slot") { pickDate(state.date); return; }
      show(to);
    });
  });
  $("details-form").addEventListener("submit", submit);

  renderAgencies();
  if (settings.agencies.length === 1) {
    pickAgency(settings.agencies[0].id, true);
    document.querySelector('#step-service [data-back]').hidden = true;
  } else {
    show("agency", true);
  }
}());
