// The API documentation page: Swagger UI with the settings the server wrote in #swagger-settings.
// A file, not an inline script, so that the page runs under the site's Content-Security-Policy.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  settings.layout = "BaseLayout";
  // Offline: no call to the public schema validator.
  settings.validatorUrl = null;
  window.ui = SwaggerUIBundle(settings);
})();
