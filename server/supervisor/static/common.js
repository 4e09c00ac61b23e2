/* Shared helpers of the supervisor pages and the survey. Text goes in with textContent only. */
"use strict";
window.Loket = window.Loket || {};
(function (L) {
  L.strings = function (id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  };
  L.format = function (text, params) {
    return String(text).replace(/\{(\w+)\}/g, function (_, key) {
      return params && params[key] !== undefined && params[key] !== null ? params[key] : "";
    });
  };
  L.el = function (tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };
  /* A duration with its units in the page's language (``L.units``: the page's strings with
     the ``unit.*`` texts): "45 dtk", "4,5 mnt", "12 mnt", "1 j 05 mnt". */
  L.units = {};
  L.minutes = function (seconds) {
    if (seconds === null || seconds === undefined) return "–";
    var u = L.units, total = Math.max(0, Math.round(seconds));
    var unit = function (key, params, fallback) {
      return u[key] ? L.format(u[key], params) : fallback;
    };
    if (total < 60) return unit("unit.s", { n: total }, total + " s");
    if (total < 600) {
      var tenths = (Math.round(total / 6) / 10).toFixed(1).replace(".", u["unit.decimal"] || ".");
      return unit("unit.min", { n: tenths }, tenths + " min");
    }
    if (total < 3600) return unit("unit.min", { n: Math.round(total / 60) }, Math.round(total / 60) + " min");
    var h = Math.floor(total / 3600), m = Math.round((total % 3600) / 60);
    if (m === 60) { h += 1; m = 0; }
    return unit("unit.h_min", { h: h, m: (m < 10 ? "0" : "") + m }, h + " h " + m + " min");
  };
  L.csrf = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  };
  L.post = function (url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": L.csrf() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || response.statusText);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  };
})(window.Loket);
