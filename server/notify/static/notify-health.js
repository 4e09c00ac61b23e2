/* Delivery health of WhatsApp/SMS notices on the supervisor dashboard (server/notify):
 * polls GET /api/notify/health (supervisors) and fills #notify-health. */
(function () {
  "use strict";

  var section = document.getElementById("notify-health");
  if (!section) { return; }
  var words = JSON.parse(document.getElementById("notify-words").textContent);
  var body = section.querySelector("tbody");

  function w(key, params) {
    var text = words[key] || key;
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(params[k]); });
    return text;
  }
  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "–" : String(text);
    return td;
  }

  function render(data) {
    var health = data && data.notify;
    section.hidden = !health;
    if (!health) { return; }
    document.getElementById("notify-health-totals").textContent = w("notify.queued", health);
    var rows = health.channels.map(function (c) {
      var tr = document.createElement("tr");
      tr.className = c.failing ? "notify-failing" : "";
      tr.dataset.channel = c.name;
      tr.appendChild(cell(c.name + " (" + c.kind + ")"));
      tr.appendChild(cell(c.sent));
      tr.appendChild(cell(c.failed + (c.failing_streak ? " (" + c.failing_streak + "×)" : "")));
      tr.appendChild(cell(c.last_error ? (c.last_error_at || "").slice(11, 16) + " " + c.last_error : ""));
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    document.body.dataset.notifyUpdated = String(Date.now());
  }

  function refresh() {
    fetch("/api/notify/health", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(render)
      .catch(function () { /* shown again on the next round */ });
  }
  refresh();
  setInterval(refresh, 15000);
}());
