// The readable API reference (/api/docs): Swagger UI, served by Loket from npm, reading
// the hub's own OpenAPI document. A separate file: the pages' CSP allows no inline script.
(function () {
  "use strict";
  var target = document.getElementById("api");
  window.SwaggerUIBundle({
    url: target.getAttribute("data-spec"),
    domNode: target,
    deepLinking: true,
    tryItOutEnabled: false,
    validatorUrl: null,
  });
})();
