import { ApiError } from '../lib/errors'
import { createRouter } from '../lib/router'

/**
 * The Worker's part in the browser pages, which are static assets (web/, built into dist/public):
 * `/api/docs` leads to the API reference, and the console's client-side routes under `/console/`
 * (paths with no file behind them) answer with the console's page.
 */
export const browserRoutes = createRouter()

browserRoutes.get('/api/docs', (c) => c.redirect('/docs/', 302))

browserRoutes.get('/console/*', async (c) => {
  // A path naming a file (app.js, logo.png) that the assets did not have is a real 404, not a page.
  const lastSegment = c.req.path.split('/').pop() ?? ''
  if (!c.env.ASSETS || lastSegment.includes('.')) throw new ApiError('not_found', 'No endpoint lives at this path.')
  const page = await c.env.ASSETS.fetch(new URL('/console/', c.req.url))
  // A fresh copy: the asset answer's headers are immutable, and secure-headers still adds its own.
  return new Response(page.body, { status: page.status, headers: page.headers })
})
