// Starts Swagger UI on the API docs page. A file, not an inline script, for the CSP.
const root = document.getElementById("swagger-ui");
if (root && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // The default sends our schema to validator.swagger.io: nothing leaves this site.
    validatorUrl: null,
  });
  const plainList = document.getElementById("api-endpoints");
  if (plainList) {
    plainList.hidden = true;
  }
}
