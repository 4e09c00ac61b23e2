/* "Info layanan" at the kiosk: before taking a ticket a citizen can read the service's
 * Standar Pelayanan (requirements first: many only learn here that a document is missing).
 * Self-contained: kiosk.js calls LoketKioskInfo.select(prefix, lang) when a service is chosen;
 * the button and dialog come from signage/_kiosk_info.html. Text goes in with textContent. */
(function (global) {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var words = JSON.parse(($("kiosk-info-words") || { textContent: "{}" }).textContent);
  var KEYS = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "pengaduan"];
  var IDLE_CLOSE_MS = 90000;
  var current = { prefix: null, lang: "id" };
  var idleTimer = null;
  var dialog = $("kiosk-info");
  var opener = $("kiosk-info-open");

  function el(tag, text) {
    var node = document.createElement(tag);
    node.textContent = text;
    return node;
  }

  function close() {
    if (idleTimer) { clearTimeout(idleTimer); idleTimer = null; }
    if (dialog && dialog.open) { dialog.close(); }
  }

  function render(info) {
    $("kiosk-info-service").textContent = info.prefix + " · " + info.service;
    var list = $("kiosk-info-list");
    var rows = [];
    KEYS.forEach(function (key) {
      var text = info.standar && info.standar[key];
      if (!text) { return; }
      var wrap = document.createElement("div");
      wrap.className = "ki-item";
      wrap.appendChild(el("dt", words[key] || key));
      wrap.appendChild(el("dd", text));
      rows.push(wrap);
    });
    list.replaceChildren.apply(list, rows);
    $("kiosk-info-empty").hidden = rows.length > 0;
  }

  /** The hall's published SKM result, under the service's standard. */
  function showSkm() {
    var box = $("kiosk-info-skm");
    if (!box || !words.skm) { return; }
    fetch("/api/skm/public?lang=" + current.lang, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (skm) {
        if (!skm.respondents) { box.hidden = true; return; }
        var ikm = Number(skm.ikm).toLocaleString(current.lang === "en" ? "en-GB" : "id-ID",
          { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        box.textContent = words.skm.replace("{period}", skm.period.label).replace("{ikm}", ikm)
          .replace("{grade}", skm.grade + (skm.grade_text ? " (" + skm.grade_text + ")" : ""))
          .replace("{n}", String(skm.respondents));
        box.hidden = false;
      })
      .catch(function () { box.hidden = true; });
  }

  function open() {
    if (!current.prefix || !dialog) { return; }
    showSkm();
    fetch("/api/info/" + encodeURIComponent(current.prefix) + "?lang=" + current.lang,
          { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (info) {
        render(info);
        if (!dialog.open) { dialog.showModal(); }
        $("kiosk-info-close").focus();
        if (idleTimer) { clearTimeout(idleTimer); }
        idleTimer = setTimeout(close, IDLE_CLOSE_MS);  // the next citizen starts clean
      })
      .catch(function () { /* offline: the kiosk already says so */ });
  }

  if (opener) { opener.addEventListener("click", open); }
  if ($("kiosk-info-close")) { $("kiosk-info-close").addEventListener("click", close); }
  if (dialog) {
    dialog.addEventListener("click", function (event) { if (event.target === dialog) { close(); } });
  }

  global.LoketKioskInfo = {
    /** A service was chosen (null: none). */
    select: function (prefix, lang) {
      current.prefix = prefix || null;
      current.lang = lang === "en" ? "en" : "id";
      if (opener) { opener.hidden = !current.prefix; }
      close();
    },
    open: open,
    close: close
  };
}(window));
