/* "Saya sudah reservasi": checking a booking in at the kiosk. The citizen scans the booking's
 * QR code (a USB scanner types like a keyboard: fast keystrokes ending with Enter, carrying
 * the code or a /b/<token> link) or types the code on the on-screen keys; the kiosk sends what
 * it read to POST /api/bookings/checkin, which reads both forms. A 201 is a real ticket, shown
 * and printed like any other (LoketKiosk.showTicket, kiosk-print.js); too early, too late,
 * cancelled and unknown codes get their own answer, too late with a walk-in ticket offered.
 * A scan on the start screens opens this screen by itself. Loaded after kiosk.js. */
(function (K) {
  "use strict";
  if (!K || !K.settings.booking) { return; }
  var settings = K.settings, $ = K.$, t = K.t, show = K.show, current = K.current;
  var KEYS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";  // the booking code's alphabet: no 0/O, 1/I/L
  var SCAN_GAP_MS = 60;  // a scanner types faster than a person
  var busy = false, walkInService = null, before = null;
  var scan = { text: "", last: 0, fast: 0 };

  function touched() { K.touched(); }

  function setResult(text, kind) {
    $("booked-result").textContent = text || "";
    $("booked-result").className = "booked-result" + (kind ? " " + kind : "");
    document.body.dataset.booked = kind || "";
  }

  function open(prefill) {
    if (current() !== "booked") { before = current(); }
    busy = false;
    walkInService = null;
    $("booked-walk-in").hidden = true;
    $("booked-code").value = prefill || "";
    setResult("");
    show("booked");
    $("booked-code").focus();  // a scanner types into the focused field
  }

  function close() { show(before && before !== "booked" ? before : K.startScreen()); }

  function refusal(res) {
    var code = res.data.error || "";
    var known = ["too_early", "too_late", "already_checked_in", "cancelled", "not_found"];
    if (res.status === 429) { return t("rate_limited"); }
    if (code === "not_found") { return t("booked.not_found"); }  // says what to check
    // The hub's answer names the booking and its times, in the kiosk's language.
    if (res.data.message) { return res.data.message; }
    return known.indexOf(code) >= 0 ? t("booked." + code) : t("booked.failed");
  }

  function send(event) {
    if (event) { event.preventDefault(); }
    var code = $("booked-code").value.trim();
    if (busy || !code) { return; }
    busy = true;
    $("booked-walk-in").hidden = true;
    setResult(t("booked_checking"), "busy");
    var body = { code: code };
    if (settings.kiosk) { body.kiosk = settings.kiosk; }
    fetch("/api/bookings/checkin?lang=" + settings.lang, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (d) { return { status: r.status, data: d }; });
    }).then(function (res) {
      busy = false;
      if (res.status === 201) {
        setResult("");
        $("booked-code").value = "";
        K.showTicket(res.data);
        return;
      }
      setResult(refusal(res), res.data.error || "failed");
      if (res.data.error === "too_late") {
        walkInService = res.data.service || null;
        $("booked-walk-in").hidden = false;
      }
      $("booked-code").select();
    }).catch(function () {
      busy = false;
      setResult(t("booked.failed"), "failed");
    });
  }

  function walkIn() {
    var svc = walkInService && K.findService ? K.findService(walkInService) : null;
    if (svc) { K.pickService(walkInService); } else { show(K.startScreen()); }
  }

  function keypad() {
    var box = $("booked-keys");
    KEYS.split("").forEach(function (ch) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "booked-key";
      b.textContent = ch;
      b.addEventListener("click", function () {
        touched();
        var input = $("booked-code");
        if (input.value.length < 12) { input.value += ch; }
      });
      box.appendChild(b);
    });
    var del = document.createElement("button");
    del.type = "button";
    del.className = "booked-key booked-del";
    del.textContent = "⌫";
    del.setAttribute("aria-label", t("booked_backspace"));
    del.addEventListener("click", function () {
      var input = $("booked-code");
      input.value = input.value.slice(0, -1);
    });
    box.appendChild(del);
  }

  /* A scan that arrives while another screen is shown (nothing focused that takes text):
   * keystrokes less than SCAN_GAP_MS apart, ending with Enter, open the check-in with it. */
  document.addEventListener("keydown", function (e) {
    var screen = current();
    if (screen !== "agency" && screen !== "service") { return; }  // the start screens only
    var target = e.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA")) { return; }
    var now = Date.now();
    if (now - scan.last > SCAN_GAP_MS * 4) { scan.text = ""; scan.fast = 0; }
    if (e.key === "Enter") {
      if (scan.text.length >= 6 && scan.fast >= scan.text.length - 2) {
        e.preventDefault();
        var text = scan.text;
        scan.text = "";
        open(text);
        send();
      }
      scan.text = "";
      return;
    }
    if (e.key.length !== 1) { return; }
    if (scan.text && now - scan.last <= SCAN_GAP_MS) { scan.fast += 1; }
    scan.text += e.key;
    scan.last = now;
  }, true);

  keypad();
  $("booked-btn").hidden = false;
  $("booked-btn").addEventListener("click", function () { open(""); });
  $("booked-cancel").addEventListener("click", close);
  $("booked-clear").addEventListener("click", function () { $("booked-code").value = ""; setResult(""); $("booked-code").focus(); });
  $("booked-form").addEventListener("submit", send);
  $("booked-walk-in").addEventListener("click", walkIn);
  K.hooks.reset.push(function () { $("booked-code").value = ""; setResult(""); });
  K.hooks.show.push(function (name) {
    // Only where a citizen starts: not in the middle of taking or holding a ticket.
    $("booked-btn").hidden = !(name === "agency" || name === "service");
  });
}(window.LoketKiosk));
