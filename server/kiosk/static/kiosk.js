/* Ticket kiosk: agency -> service -> confirm (priority) -> ticket. Waiting counts are pushed
 * over Socket.IO (/display "queue" events); nothing polls. Text goes in with textContent. */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("kiosk-settings").textContent);
  var words = JSON.parse(document.getElementById("kiosk-words").textContent);
  var $ = function (id) { return document.getElementById(id); };

  var state = { data: null, agency: null, service: null, priority: false, busy: false };
  var idleTimer = null, refetchTimer = null, openingTimer = null, offlineTimer = null;

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

  function show(name) {
    ["agency", "service", "confirm", "ticket"].forEach(function (s) {
      $("screen-" + s).hidden = s !== name;
    });
    document.body.dataset.screen = name;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function query() {
    var q = new URLSearchParams();
    if (settings.agency) { q.set("agency", settings.agency); }
    if (settings.kiosk) { q.set("id", settings.kiosk); }
    q.set("lang", settings.lang);
    return q.toString();
  }

  function fetchServices() {
    return fetch("/api/services?" + query(), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
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

  function render() {
    var agencies = state.data.agencies || [];
    var list = $("agency-list");
    list.replaceChildren();
    if (!agencies.length) { list.appendChild(el("p", "kiosk-empty", t("none"))); }
    agencies.forEach(function (agency) {
      var open = agency.services.filter(function (s) { return s.available; }).length;
      var btn = el("button", "choice agency-choice");
      btn.type = "button";
      btn.dataset.agency = agency.id;
      btn.appendChild(el("span", "choice-name", agency.name));
      if (agency.full_name) { btn.appendChild(el("span", "choice-sub", agency.full_name)); }
      var waiting = agency.services.reduce(function (n, s) { return n + s.waiting; }, 0);
      btn.appendChild(el("span", "choice-meta", t("waiting", { n: waiting })));
      if (!open) { btn.classList.add("unavailable"); }
      btn.addEventListener("click", function () { pickAgency(agency.id); });
      list.appendChild(btn);
    });
    $("back-to-agency").hidden = agencies.length <= 1;
    if (state.agency) { renderServices(); }
    if (state.service && !$("screen-confirm").hidden) { renderConfirm(); }
  }

  function pickAgency(id) {
    state.agency = id;
    renderServices();
    show("service");
  }

  function renderServices() {
    var agency = findAgency(state.agency);
    var list = $("service-list");
    list.replaceChildren();
    if (!agency) { return; }
    $("service-title").textContent = agency.name + " · " + t("pick_service");
    agency.services.forEach(function (svc) {
      var btn = el("button", "choice service-choice");
      btn.type = "button";
      btn.dataset.service = svc.prefix;
      btn.appendChild(el("span", "choice-name", svc.name));
      if (svc.available) {
        btn.appendChild(el("span", "choice-meta waiting-count", t("waiting", { n: svc.waiting })));
        btn.appendChild(el("span", "choice-meta", t("estimate") + ": " + describe(svc.estimate)));
        btn.addEventListener("click", function () { pickService(svc.prefix); });
      } else {
        btn.disabled = true;
        btn.setAttribute("aria-disabled", "true");
        btn.classList.add("unavailable");
        btn.appendChild(el("span", "choice-reason", svc.reason_text));
      }
      list.appendChild(btn);
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

  function renderConfirm() {
    var svc = findService(state.service);
    if (!svc) { return; }
    $("confirm-title").textContent = svc.name;
    $("confirm-agency").textContent = svc.agency;
    $("confirm-waiting").textContent = t("waiting", { n: svc.waiting });
    $("confirm-estimate").textContent = describe(state.priority ? svc.estimate_priority : svc.estimate);
    $("priority-toggle").setAttribute("aria-pressed", state.priority ? "true" : "false");
    $("take-btn").disabled = !svc.available || state.busy;
    if (!svc.available) {
      $("issue-error").textContent = svc.reason_text;
      $("issue-error").hidden = false;
    }
  }

  function take() {
    if (state.busy) { return; }
    state.busy = true;
    $("take-btn").disabled = true;
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
      if (res.status === 201) { showTicket(res.data); return; }
      var msg = res.status === 429 ? t("rate_limited") : (res.data.message || t("failed"));
      $("issue-error").textContent = msg;
      $("issue-error").hidden = false;
      if (res.status === 409) { fetchServices(); }
    }).catch(function () {
      $("issue-error").textContent = t("failed");
      $("issue-error").hidden = false;
    }).then(function () {
      state.busy = false;
      $("take-btn").textContent = t("take");
      $("take-btn").disabled = false;
    });
  }

  function showTicket(ticket) {
    var ahead = ticket.ahead ? t("ahead", { n: ticket.ahead }) : t("ahead_none");
    var wait = t("estimate") + ": " + describe(ticket.estimate);
    var qr = ticket.status_url + "/qr.svg";
    $("ticket-number").textContent = ticket.ticket;
    $("ticket-priority").hidden = !ticket.priority;
    $("ticket-service").textContent = ticket.service_name + " · " + ticket.agency;
    $("ticket-ahead").textContent = ahead;
    $("ticket-estimate").textContent = wait;
    $("ticket-qr").src = qr;
    $("ticket-qr").dataset.statusUrl = ticket.status_url;
    // The paper copy for the browser's print dialog.
    $("pt-agency").textContent = ticket.agency;
    $("pt-service").textContent = ticket.service_name;
    $("pt-number").textContent = ticket.ticket;
    $("pt-priority").textContent = ticket.priority ? t("priority") : "";
    $("pt-ahead").textContent = ahead;
    $("pt-estimate").textContent = wait;
    $("pt-time").textContent = hallTime(ticket.issued_at || "");
    $("pt-qr").src = qr;
    show("ticket");
    if (settings.printer) {
      printOnKiosk(ticket);
    } else {
      $("print-state").textContent = "";
      $("browser-print").hidden = false;
    }
  }

  function printOnKiosk(ticket) {
    var token = ticket.status_token;
    delete document.body.dataset.lastPrint;
    $("browser-print").hidden = true;
    $("print-state").className = "print-state";
    $("print-state").textContent = t("printing");
    fetch("/api/kiosks/" + encodeURIComponent(settings.kiosk) + "/print/" + encodeURIComponent(token) +
          "?lang=" + settings.lang, { method: "POST", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (res) {
        document.body.dataset.printer = res.status || "error";
        document.body.dataset.lastPrint = res.status || "error";
        if (res.printed) {
          $("print-state").textContent = t("printed");
          if (res.status !== "ok" && res.message) {
            $("print-state").textContent = t("printed") + " " + res.message;
          }
        } else {
          $("print-state").className = "print-state failed";
          $("print-state").textContent = res.message || t("print_failed", { status: res.status });
          $("browser-print").hidden = false;
        }
      })
      .catch(function () {
        document.body.dataset.printer = "error";
        document.body.dataset.lastPrint = "error";
        $("print-state").className = "print-state failed";
        $("print-state").textContent = t("print_failed", { status: t("printer.error") });
      });
  }

  function checkPrinter() {
    if (!settings.printer) { return; }
    fetch("/api/kiosks/" + encodeURIComponent(settings.kiosk) + "/check?lang=" + settings.lang,
          { method: "POST", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) {
        if (!res) { return; }
        document.body.dataset.printer = res.status;
        $("printer-warning").textContent = res.message || "";
        $("printer-warning").hidden = !res.message;
      })
      .catch(function () { /* the next print attempt reports it */ });
  }

  function reset() {
    checkPrinter();
    state.agency = null;
    state.service = null;
    state.priority = false;
    var agencies = (state.data && state.data.agencies) || [];
    if (agencies.length === 1) { pickAgency(agencies[0].id); } else { show("agency"); }
    fetchServices();
  }

  function touched() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (document.body.dataset.screen !== "agency") { reset(); }
    }, settings.idle_timeout_s * 1000);
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
    document.querySelectorAll(".service-choice").forEach(function (btn) {
      var svc = findService(btn.dataset.service);
      var count = btn.querySelector(".waiting-count");
      if (svc && count) { count.textContent = t("waiting", { n: svc.waiting }); }
    });
    if (!$("screen-confirm").hidden && state.service) {
      var svc = findService(state.service);
      if (svc) { $("confirm-waiting").textContent = t("waiting", { n: svc.waiting }); }
    }
    scheduleRefetch(); // estimates and quotas follow the new counts
  }

  function connect() {
    if (typeof io === "undefined") { return; }
    var socket = io("/display", { transports: ["websocket", "polling"] });
    socket.on("queue", onQueue);
    socket.on("settings", scheduleRefetch);
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

  $("back-to-agency").addEventListener("click", function () { state.agency = null; show("agency"); });
  $("back-to-service").addEventListener("click", function () { show("service"); });
  $("priority-toggle").addEventListener("click", function () {
    state.priority = !state.priority;
    renderConfirm();
  });
  $("take-btn").addEventListener("click", take);
  $("ticket-done").addEventListener("click", reset);
  $("browser-print").addEventListener("click", function () { window.print(); });
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true });
  });
  document.addEventListener("contextmenu", function (e) { e.preventDefault(); });

  show("agency");
  fetchServices().then(function () {
    var agencies = (state.data && state.data.agencies) || [];
    if (agencies.length === 1) { pickAgency(agencies[0].id); }
  });
  connect();
  checkPrinter();
  touched();
}());
