// The static assets (wrangler.toml `[assets]`): the API reference at /docs/ (Swagger UI's standalone
// bundle, copied from node_modules so the lockfile pins it and no CDN is involved) and the operator
// console at /console/ (web/console, bundled by esbuild with Preact). Output: dist/public.
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

const OUT = 'dist/public'

rmSync(OUT, { recursive: true, force: true })
mkdirSync(`${OUT}/docs`, { recursive: true })
cpSync('web/_headers', `${OUT}/_headers`)

cpSync('web/docs', `${OUT}/docs`, { recursive: true })
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
  cpSync(`node_modules/swagger-ui-dist/${file}`, `${OUT}/docs/${file}`)
}

mkdirSync(`${OUT}/console`, { recursive: true })
cpSync('web/console/index.html', `${OUT}/console/index.html`)
await build({
  entryPoints: { app: 'web/console/main.tsx' },
  outdir: `${OUT}/console`,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
})
