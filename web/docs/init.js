// Kept out of index.html so the page's Content-Security-Policy can forbid inline scripts.

/**
 * Swagger UI renders the page's one <main> (the operations); the overview and the server choice sit
 * outside it, so they are named regions here, and every part of the page is in a landmark.
 */
function nameRegions() {
  for (const [selector, label] of [
    ['.information-container', 'Overview'],
    ['.schemes-server-container', 'Servers and authorization'],
  ]) {
    const element = document.querySelector(selector)
    if (element && !element.hasAttribute('role')) {
      element.setAttribute('role', 'region')
      element.setAttribute('aria-label', label)
    }
  }
}

window.ui = window.SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The public validator badge would call validator.swagger.io; the docs make no outside requests.
  validatorUrl: null,
  onComplete: nameRegions,
})
// Swagger UI re-renders parts of the page as it is used.
new window.MutationObserver(nameRegions).observe(document.getElementById('swagger-ui'), { childList: true, subtree: true })
