/* global window, SwaggerUIBundle, SwaggerUIStandalonePreset */
// Served at /docs/swagger-initializer.js: a file, not an inline script, so a strict CSP can allow it.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
