// Writes the OpenAPI document to dist/openapi.json without a Worker: esbuild bundles src/app.ts for
// Node and the script asks the app for /api/openapi.json with a stand-in environment. The document
// route reads no data, but the dbSession middleware opens a D1 session on every request, so the
// stand-in DB only has to open one. `npm run lint:openapi` lints the file with Spectral.
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { WORKER_TARGET } from './worker-target.mjs'

const BUNDLE = 'dist/openapi-app.mjs'
const OUTPUT = process.argv[2] ?? 'dist/openapi.json'

mkdirSync('dist', { recursive: true })
await build({
  entryPoints: ['src/app.ts'],
  outfile: BUNDLE,
  ...WORKER_TARGET,
  logLevel: 'warning',
})

try {
  const { default: app } = await import(pathToFileURL(BUNDLE).href)
  const session = { getBookmark: () => null, prepare: () => ({}), batch: async () => [] }
  const env = { DB: { withSession: () => session }, JWT_SECRET: randomBytes(48).toString('base64url') }
  const response = await app.request('http://127.0.0.1:8787/api/openapi.json', {}, env)
  if (response.status !== 200) throw new Error(`/api/openapi.json answered ${response.status}: ${await response.text()}`)
  writeFileSync(OUTPUT, `${JSON.stringify(await response.json(), null, 2)}\n`)
  console.log(`Wrote ${OUTPUT}.`)
} finally {
  rmSync(BUNDLE, { force: true })
}
