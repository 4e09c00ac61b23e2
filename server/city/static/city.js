// Refreshes the city's figures every [city] refresh_s seconds with the server-rendered (escaped) fragment of the
// same page and period; a failed refresh shows a notice and keeps the last figures.
(function () {
  "use strict";
  var box = document.getElementById("city-figures");
  var notice = document.getElementById("city-refresh-error");
  if (!box) { return; }
  var REFRESH_MS = parseInt(box.getAttribute("data-refresh-ms"), 10) || 15000;
  function refresh() {
    var params = new URLSearchParams(window.location.search);
    params.set("partial", "1");
    fetch(window.location.pathname + "?" + params.toString(), {
      credentials: "same-origin", headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (response.redirected) { window.location.assign(response.url); return null; }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (html) {
      if (html === null) { return; }
      box.innerHTML = html;
      notice.hidden = true;
    }).catch(function () {
      notice.hidden = false;
    }).finally(function () {
      window.setTimeout(refresh, REFRESH_MS);
    });
  }
  window.setTimeout(refresh, REFRESH_MS);
})();
