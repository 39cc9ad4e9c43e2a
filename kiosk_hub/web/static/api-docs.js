// Starts Swagger UI on /fleet/docs; kept in a file so the page's policy allows no inline script.
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  if (root && window.SwaggerUIBundle) {
    window.SwaggerUIBundle({ url: root.dataset.openapi, dom_id: "#swagger-ui" });
  }
})();
