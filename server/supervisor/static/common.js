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
  L.minutes = function (seconds) {
    if (seconds === null || seconds === undefined) return "–";
    var total = Math.round(seconds);
    var m = Math.floor(total / 60), s = total % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
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
