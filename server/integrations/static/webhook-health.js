/* Delivery health of integrators' webhooks on the supervisor dashboard
 * (server/integrations): polls GET /api/integrations/webhooks/health and fills
 * #webhook-health. */
(function () {
  "use strict";

  var section = document.getElementById("webhook-health");
  if (!section) { return; }
  var words = JSON.parse(document.getElementById("webhook-words").textContent);
  var body = section.querySelector("tbody");

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "–" : String(text);
    return td;
  }

  function render(data) {
    var health = data && data.webhooks;
    section.hidden = !health;
    if (!health) { return; }
    var rows = health.subscriptions.map(function (w) {
      var tr = document.createElement("tr");
      tr.dataset.webhook = w.name;
      if (w.failing) { tr.className = "webhook-failing"; }
      tr.appendChild(cell(w.name + (w.failing ? " — " + words["integrations.failing"] : "")));
      tr.appendChild(cell(w.sent));
      tr.appendChild(cell(w.queued));
      tr.appendChild(cell(w.dead));
      tr.appendChild(cell(w.last_error ? w.last_error + (w.failing_streak ? " (" +
        w.failing_streak + "×)" : "") : ""));
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    document.body.dataset.webhooksUpdated = String(Date.now());
  }

  function refresh() {
    fetch("/api/integrations/webhooks/health",
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(render)
      .catch(function () { /* shown again on the next round */ });
  }
  refresh();
  setInterval(refresh, 15000);
}());
