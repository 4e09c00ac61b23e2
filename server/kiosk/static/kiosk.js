/* Ticket kiosk: agency -> service -> confirm (priority) -> ticket. Help on request and the
 * accessible mode ("Mode mudah") are in kiosk-modes.js, the idle warning and reset in
 * kiosk-idle.js, printing in kiosk-print.js, all hooked in through window.LoketKiosk.
 * Waiting counts are pushed over Socket.IO (/display "queue" events); nothing polls. Lists are
 * updated in place (a focused button stays focused through an update); each new screen moves
 * focus to its heading. Text goes in with textContent. docs/kiosk.md, docs/accessibility.md. */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("kiosk-settings").textContent);
  var words = JSON.parse(document.getElementById("kiosk-words").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var SCREENS = ["agency", "service", "confirm", "ticket", "help", "booked"];
  var defaultLang = settings.default_lang || "id";

  var state = { data: null, agency: null, service: null, priority: false, busy: false,
                ticket: null, easy: false };
  var refetchTimer = null, openingTimer = null, offlineTimer = null;

  function t(key, params) {
    var text = words["kiosk." + key] || key;
    Object.keys(params || {}).forEach(function (k) {
      text = text.split("{" + k + "}").join(String(params[k]));
    });
    return text;
  }

  function describe(est) {
    if (!est) { return ""; }
    if (est.text) { return est.text; }
    var unit = t("minutes");
    if (est.minutes === 0 && est.low_min === 0) {
      return t("soon") + " (0–" + est.high_min + " " + unit + ")";
    }
    return "± " + est.minutes + " " + unit + " (" + est.low_min + "–" + est.high_min + " " + unit + ")";
  }

  function hallTime(iso) {
    // "2026-11-28T08:15:02+07:00" (already in the hall's time zone) -> "28-11-2026 08.15"
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
    return m ? m[3] + "-" + m[2] + "-" + m[1] + " " + m[4] + "." + m[5] : iso;
  }

  function current() { return document.body.dataset.screen; }

  function startScreen() {
    var agencies = (state.data && state.data.agencies) || [];
    return agencies.length === 1 ? "service" : "agency";
  }

  /* Show one screen; focus its heading so keyboard and screen-reader users start there. */
  function show(name, quiet) {
    SCREENS.forEach(function (s) { $("screen-" + s).hidden = s !== name; });
    document.body.dataset.screen = name;
    var heading = $("screen-" + name).querySelector("h1");
    if (heading && !quiet) { heading.focus({ preventScroll: false }); }
    emit("show", name, quiet);
  }

  /* Hooks for kiosk-print.js, kiosk-idle.js and kiosk-modes.js: show, reset, idle, ticket. */
  var hooks = { show: [], reset: [], idle: [], ticket: [] };
  function emit(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    hooks[name].forEach(function (fn) { fn.apply(null, args); });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  /* One text part of a choice button, made once and then only changed when it differs. */
  function part(btn, cls, text) {
    var node = btn.querySelector("." + cls.split(" ").pop());
    if (text === null || text === undefined || text === "") {
      if (node) { node.remove(); }
      return;
    }
    if (!node) { node = el("span", cls); btn.appendChild(node); }
    if (node.textContent !== text) { node.textContent = text; }
  }

  /* Keep a list's buttons in the order of ``items`` (keyed by data-key), changing them in
   * place: an unchanged button is never removed or moved, so it keeps keyboard focus. */
  function sync(list, items, make, update) {
    var existing = {};
    Array.prototype.slice.call(list.children).forEach(function (child) {
      if (child.dataset.key) { existing[child.dataset.key] = child; } else { child.remove(); }
    });
    var prev = null;
    items.forEach(function (item) {
      var node = existing[item.key];
      if (!node) { node = make(item); node.dataset.key = item.key; }
      delete existing[item.key];
      update(node, item);
      var want = prev ? prev.nextSibling : list.firstChild;
      if (node !== want) { list.insertBefore(node, want); }
      prev = node;
    });
    Object.keys(existing).forEach(function (key) { existing[key].remove(); });
  }

  function query() {
    var q = new URLSearchParams();
    if (settings.agency) { q.set("agency", settings.agency); }
    if (settings.kiosk) { q.set("id", settings.kiosk); }
    q.set("lang", settings.lang);
    return q.toString();
  }

  var fetchesSent = 0, fetchShown = 0;
  function fetchServices() {
    var mine = ++fetchesSent;  // answers may overtake each other: never show an older one
    return fetch("/api/services?" + query(), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (mine < fetchShown) { return; }
        fetchShown = mine;
        state.data = data;
        $("kiosk-offline").hidden = true;
        render();
        scheduleOpening();
      })
      .catch(function () { $("kiosk-offline").hidden = false; });
  }

  function findAgency(id) {
    return (state.data.agencies || []).filter(function (a) { return a.id === id; })[0] || null;
  }

  function findService(prefix) {
    var found = null;
    (state.data.agencies || []).forEach(function (a) {
      a.services.forEach(function (s) { if (s.prefix === prefix) { found = s; } });
    });
    return found;
  }

  /* A service can be taken now: the server's "available", else derived from what it says
   * about opening hours, pauses and the quota. */
  function serviceOpen(s) {
    if (typeof s.available === "boolean") { return s.available; }
    if (s.paused || s.open === false) { return false; }
    var issued = typeof s.issued === "number" ? s.issued : null;
    if (s.quota !== null && s.quota !== undefined) {
      if (typeof s.remaining === "number") { return s.remaining > 0; }
      if (issued !== null) { return issued < s.quota; }
    }
    return true;
  }

  /* An agency is available when the server says so, else when any of its services is. */
  function agencyOpen(agency) {
    if (typeof agency.available === "boolean") { return agency.available; }
    return agency.services.some(serviceOpen);
  }

  function render() {
    var agencies = state.data.agencies || [];
    var list = $("agency-list");
    if (!agencies.length) {
      list.replaceChildren(el("p", "kiosk-empty", t("none")));
    } else {
      sync(list, agencies.map(function (a) { return { key: a.id, agency: a }; }), function (item) {
        var btn = el("button", "choice agency-choice");
        btn.type = "button";
        btn.dataset.agency = item.agency.id;
        btn.addEventListener("click", function () { pickAgency(btn.dataset.agency); });
        return btn;
      }, function (btn, item) {
        var agency = item.agency, open = agencyOpen(agency);
        var waiting = agency.services.reduce(function (n, s) { return n + (s.waiting || 0); }, 0);
        part(btn, "choice-name", agency.name);
        part(btn, "choice-sub", agency.full_name || "");
        part(btn, "choice-meta", t("waiting", { n: waiting }));
        part(btn, "choice-reason", open ? "" : (agency.reason_text || t("agency_unavailable")));
        btn.classList.toggle("unavailable", !open);
        btn.dataset.available = open ? "1" : "0";
      });
    }
    $("back-to-agency").hidden = agencies.length <= 1;
    if (state.agency) { renderServices(); }
    if (state.service && !$("screen-confirm").hidden) { renderConfirm(); }
  }

  function pickAgency(id, quiet) {
    state.agency = id;
    renderServices();
    show("service", quiet);
  }

  function renderServices() {
    var agency = findAgency(state.agency);
    var list = $("service-list");
    if (!agency) { list.replaceChildren(); return; }
    var title = agency.name + " · " + t("pick_service");
    if ($("service-title").textContent !== title) { $("service-title").textContent = title; }
    sync(list, agency.services.map(function (s) { return { key: s.prefix, svc: s }; }), function (item) {
      var btn = el("button", "choice service-choice");
      btn.type = "button";
      btn.dataset.service = item.svc.prefix;
      btn.addEventListener("click", function () {
        if (btn.getAttribute("aria-disabled") === "true") { return; }
        pickService(btn.dataset.service);
      });
      return btn;
    }, function (btn, item) {
      var svc = item.svc, open = serviceOpen(svc);
      part(btn, "choice-name", svc.name);
      part(btn, "choice-meta waiting-count", open ? t("waiting", { n: svc.waiting }) : "");
      part(btn, "choice-meta choice-estimate", open ? t("estimate") + ": " + describe(svc.estimate) : "");
      part(btn, "choice-reason", open ? "" : svc.reason_text);
      btn.classList.toggle("unavailable", !open);
      // aria-disabled (not disabled): the button stays focusable, so focus never falls to
      // the page when a service fills up, and its reason can be read.
      if (open) { btn.removeAttribute("aria-disabled"); } else { btn.setAttribute("aria-disabled", "true"); }
    });
  }

  function pickService(prefix) {
    state.service = prefix;
    state.priority = false;
    $("issue-error").hidden = true;
    renderConfirm();
    show("confirm");
    if (window.LoketKioskInfo) { window.LoketKioskInfo.select(prefix, settings.lang); }
  }

  function setText(id, text) { if ($(id).textContent !== text) { $(id).textContent = text; } }

  function renderConfirm() {
    var svc = findService(state.service);
    if (!svc) { return; }
    setText("confirm-title", svc.name);
    setText("confirm-agency", svc.agency);
    setText("confirm-waiting", t("waiting", { n: svc.waiting }));
    setText("confirm-estimate", describe(state.priority ? svc.estimate_priority : svc.estimate));
    $("priority-toggle").setAttribute("aria-pressed", state.priority ? "true" : "false");
    var blocked = !serviceOpen(svc) || state.busy;
    $("take-btn").setAttribute("aria-disabled", blocked ? "true" : "false");
    if (!serviceOpen(svc)) {
      setText("issue-error", svc.reason_text || t("failed"));
      $("issue-error").hidden = false;
    }
  }

  function take() {
    if (state.busy || $("take-btn").getAttribute("aria-disabled") === "true") { return; }
    state.busy = true;
    $("take-btn").setAttribute("aria-disabled", "true");
    $("take-btn").textContent = t("taking");
    var body = { service: state.service, priority: state.priority };
    if (settings.kiosk) { body.kiosk = settings.kiosk; }
    fetch("/api/tickets?lang=" + settings.lang, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { status: r.status, data: data };
      });
    }).then(function (res) {
      state.busy = false;
      $("take-btn").textContent = t("take");
      $("take-btn").setAttribute("aria-disabled", "false");
      if (res.status === 201) { showTicket(res.data); return; }
      var msg = res.status === 429 ? t("rate_limited") : (res.data.message || t("failed"));
      $("issue-error").textContent = msg;
      $("issue-error").hidden = false;
      if (res.status === 409) { fetchServices(); }
    }).catch(function () {
      state.busy = false;
      $("take-btn").textContent = t("take");
      $("take-btn").setAttribute("aria-disabled", "false");
      $("issue-error").textContent = t("failed");
      $("issue-error").hidden = false;
    });
  }

  function statusUrl(ticket) {
    var base = settings.public_base || window.location.origin;
    return base + ticket.status_url;
  }

  function showTicket(ticket) {
    state.ticket = ticket;
    var ahead = ticket.ahead ? t("ahead", { n: ticket.ahead }) : t("ahead_none");
    var wait = t("estimate") + ": " + describe(ticket.estimate);
    var qr = ticket.status_url + "/qr.svg";
    var url = statusUrl(ticket);
    var when = hallTime(ticket.issued_at || "");
    $("ticket-number").textContent = ticket.ticket;
    $("ticket-priority").hidden = !ticket.priority;
    $("ticket-booked").hidden = !ticket.booked;  // checked in from a booking (kiosk-booking.js)
    $("ticket-service").textContent = ticket.service_name + " · " + ticket.agency;
    $("ticket-ahead").textContent = ahead;
    $("ticket-estimate").textContent = wait;
    $("ticket-time").textContent = when ? t("issued_at", { time: when }) : "";
    $("ticket-qr").src = qr;
    $("ticket-qr").alt = t("qr_alt", { ticket: ticket.ticket, url: url });
    $("ticket-qr").dataset.statusUrl = ticket.status_url;
    $("ticket-url").textContent = url;
    $("help-on-call").setAttribute("aria-pressed", "false");
    $("help-on-call").removeAttribute("aria-disabled");
    $("help-call-state").textContent = "";
    // The paper copy for the browser's print dialog.
    $("pt-agency").textContent = ticket.agency;
    $("pt-service").textContent = ticket.service_name;
    $("pt-number").textContent = ticket.ticket;
    $("pt-priority").textContent = ticket.priority ? t("priority") : "";
    $("pt-booked").textContent = ticket.booked ? t("booked_ok") : "";
    $("pt-ahead").textContent = ahead;
    $("pt-estimate").textContent = wait;
    $("pt-time").textContent = when;
    $("pt-qr").src = qr;
    show("ticket");
    emit("ticket", ticket);
  }

  function reset() {
    emit("reset");
    state.agency = null;
    state.service = null;
    state.priority = false;
    state.ticket = null;
    if (settings.lang !== defaultLang) {  // the next citizen starts in the hall's language
      var url = new URL(window.location.href);
      url.searchParams.set("lang", defaultLang);
      window.location.replace(url.pathname + url.search);
      return;
    }
    var agencies = (state.data && state.data.agencies) || [];
    if (agencies.length === 1) { pickAgency(agencies[0].id); } else { show("agency"); }
    fetchServices();
  }

  function scheduleRefetch() {
    clearTimeout(refetchTimer);
    refetchTimer = setTimeout(fetchServices, 700);
  }

  function scheduleOpening() {
    clearTimeout(openingTimer);
    var soonest = null;
    (state.data.agencies || []).forEach(function (a) {
      a.services.forEach(function (s) {
        var at = s.next_opening ? Date.parse(s.next_opening) : NaN;
        if (!isNaN(at) && (soonest === null || at < soonest)) { soonest = at; }
      });
    });
    if (soonest !== null) {
      var delay = Math.max(soonest - Date.now() + 2000, 5000);
      if (delay < 24 * 3600 * 1000) { openingTimer = setTimeout(fetchServices, delay); }
    }
  }

  function onQueue(payload) {
    if (!state.data) { return; }
    (payload.services || []).forEach(function (entry) {
      var svc = findService(entry.prefix);
      if (svc) { svc.waiting = entry.waiting; }
    });
    render();  // in place: texts change, buttons and focus stay
    scheduleRefetch(); // estimates and quotas follow the new counts
  }

  function connect() {
    if (typeof io === "undefined") { return; }
    var socket = io("/display", { transports: ["websocket", "polling"] });
    socket.on("queue", onQueue);
    socket.on("settings", scheduleRefetch);
    socket.on("hall", scheduleRefetch); // services, quotas or the calendar changed in /admin
    socket.on("connect", function () {
      clearTimeout(offlineTimer);
      $("kiosk-offline").hidden = true;
      document.body.dataset.live = "1";
      if (state.data) { scheduleRefetch(); } // catch up on what was missed while away
    });
    socket.on("disconnect", function () {
      document.body.dataset.live = "0";
      offlineTimer = setTimeout(function () { $("kiosk-offline").hidden = false; }, 5000);
    });
  }

  function languageLink() {
    var link = $("kiosk-lang");
    var url = new URL(window.location.href);
    url.searchParams.set("lang", link.getAttribute("hreflang"));
    link.href = url.pathname + url.search;  // keeps ?id= and ?agency=
  }

  $("back-to-agency").addEventListener("click", function () { state.agency = null; show("agency"); });
  $("back-to-service").addEventListener("click", function () { show("service"); });
  $("priority-toggle").addEventListener("click", function () {
    state.priority = !state.priority;
    renderConfirm();
  });
  $("take-btn").addEventListener("click", take);
  $("ticket-done").addEventListener("click", reset);
  document.addEventListener("contextmenu", function (e) { e.preventDefault(); });

  window.LoketKiosk = {  // for kiosk-modes.js
    settings: settings, state: state, $: $, t: t, show: show, current: current,
    startScreen: startScreen, reset: reset, defaultLang: defaultLang, hooks: hooks,
    showTicket: showTicket, pickService: pickService, findService: findService,
    touched: function () { /* kiosk-idle.js replaces it */ }
  };
  languageLink();
  show("agency", true);
  fetchServices().then(function () {
    var agencies = (state.data && state.data.agencies) || [];
    if (agencies.length === 1) { pickAgency(agencies[0].id, true); }
  });
  connect();
  // Only a paired kiosk may issue priority numbers (settings.priority); its once-a-minute
  // requests are its heartbeat for the supervisor's "kiosk not seen" alert and catch an empty
  // paper roll while nobody takes a ticket (checkPrinter comes from kiosk-print.js).
  if (!settings.priority) { $("priority-toggle").style.display = "none"; }
  setInterval(function () {
    fetchServices();
    if (window.LoketKiosk.checkPrinter) { window.LoketKiosk.checkPrinter(); }
  }, 60000);
}());
