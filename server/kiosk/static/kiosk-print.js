/* The kiosk's printer: print each ticket on the kiosk's own printer (POST
 * /api/kiosks/<id>/print/<token>) and say whether it printed, or offer the browser's print
 * dialog; ask the printer for its status at start and on each return to the start screen.
 * Loaded after kiosk.js. docs/kiosk.md. */
(function (K) {
  "use strict";
  if (!K) { return; }
  var settings = K.settings, $ = K.$, t = K.t;

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

  /* ---------------------------------------------------------------- idle reset */
  K.hooks.ticket.push(function (ticket) {
    if (settings.printer) {
      printOnKiosk(ticket);
    } else {
      $("print-state").textContent = "";
      $("browser-print").hidden = false;
    }
  });
  K.checkPrinter = checkPrinter;
  K.hooks.reset.push(checkPrinter);
  $("browser-print").addEventListener("click", function () { window.print(); });
  checkPrinter();
}(window.LoketKiosk));
