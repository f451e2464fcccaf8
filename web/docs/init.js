// Kept out of index.html so the page's Content-Security-Policy can forbid inline scripts.
window.ui = window.SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The public validator badge would call validator.swagger.io; the docs make no outside requests.
  validatorUrl: null,
})
