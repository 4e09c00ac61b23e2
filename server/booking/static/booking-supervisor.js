/* The supervisor's bookings page: a day's bookings per service (GET /api/supervisor/bookings)
 * and the outreach (jemput bola) list with its teams (GET /api/supervisor/outreach, POST
 * /api/supervisor/outreach/<id>/team with the CSRF token). Text goes in with textContent. */
"use strict";
(function (L) {
  var t = L.strings("bsup-strings");
  var names = L.strings("bsup-names");
  var $ = function (id) { return document.getElementById(id); };
  function w(key, params) { return L.format(t["bsup." + key] || key, params); }
  function status(value) { return t["bsup.status." + value] || value; }
  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (data) { if (!r.ok) { throw new Error(data.message || r.status); } return data; });
      });
  }
  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (c) {
      var td = c instanceof Node ? null : L.el("td", c);
      if (!td) { td = document.createElement("td"); td.appendChild(c); }
      tr.appendChild(td);
    });
    return tr;
  }

  function loadDay() {
    var day = $("bsup-date").value;
    $("bsup-message").textContent = "…";
    get("/api/supervisor/bookings?date=" + encodeURIComponent(day)).then(function (data) {
      $("bsup-message").textContent = "";
      var body = $("bsup-services").tBodies[0];
      body.replaceChildren.apply(body, data.services.map(function (s) {
        var tr = row([s.service + " · " + (names[s.service] || s.service_name), s.total, s.booked,
                      s.checked_in, s.cancelled, s.no_show]);
        tr.dataset.service = s.service;
        return tr;
      }));
      var list = $("bsup-list").tBodies[0];
      list.replaceChildren.apply(list, data.bookings.map(function (b) {
        var st = L.el("span", status(b.status), "bsup-status-" + b.status);
        var tr = row([b.start + "–" + b.end, b.code, names[b.service] || b.service, st, b.ticket || "–"]);
        tr.dataset.code = b.code;
        return tr;
      }));
      $("bsup-none").hidden = data.bookings.length > 0;
    }).catch(function (e) {
      $("bsup-message").textContent = e.message;
      $("bsup-message").classList.add("error");
    });
  }

  function teamCell(b) {
    var box = L.el("form", null, "bsup-team");
    var id = "team-" + b.id;
    var label = L.el("label", w("team_label", { code: b.code }), "visually-hidden");
    label.htmlFor = id;
    var input = document.createElement("input");
    input.id = id;
    input.name = "team";
    input.maxLength = 80;
    input.value = b.team || "";
    var save = L.el("button", w("save"));
    save.type = "submit";
    box.append(label, input, save);
    box.addEventListener("submit", function (e) {
      e.preventDefault();
      L.post("/api/supervisor/outreach/" + b.id + "/team", { team: input.value.trim() || null })
        .then(function (res) {
          $("bsup-team-message").classList.remove("error");
          $("bsup-team-message").textContent = w("saved", { code: res.code });
        })
        .catch(function (err) {
          $("bsup-team-message").classList.add("error");
          $("bsup-team-message").textContent = err.message;
        });
    });
    return box;
  }

  function loadOutreach() {
    get("/api/supervisor/outreach").then(function (data) {
      var body = $("bsup-outreach").tBodies[0];
      body.replaceChildren.apply(body, data.bookings.map(function (b) {
        var contact = [b.contact, b.phone].filter(Boolean).join(" · ");
        var tr = row([b.date, b.start + "–" + b.end, b.code, names[b.service] || b.service,
                      status(b.status), b.address || "–", contact || "–", teamCell(b)]);
        tr.dataset.code = b.code;
        return tr;
      }));
      $("bsup-outreach-none").hidden = data.bookings.length > 0;
    }).catch(function (e) {
      $("bsup-team-message").classList.add("error");
      $("bsup-team-message").textContent = e.message;
    });
  }

  $("bsup-form").addEventListener("submit", function (e) { e.preventDefault(); loadDay(); });
  loadDay();
  loadOutreach();
})(window.Loket);
