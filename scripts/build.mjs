// The Worker's production build (wrangler.toml `[build]`): esbuild as wrangler would run it, minus
// zod's 40-odd translations of its error messages. They are a third of the bundle, and this API
// writes its own English messages; `zod/v4/locales` is replaced by a module with English alone.
import { writeFileSync } from 'node:fs'
import { build } from 'esbuild'

/** Replaces zod's locale index with English only; nothing else in zod changes. */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(esbuild) {
    esbuild.onResolve({ filter: /\/locales\/index\.js$/ }, ({ importer }) =>
      importer.includes('/node_modules/zod/') ? { path: 'zod-locales', namespace: 'english-only-zod' } : undefined,
    )
    esbuild.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js'",
      resolveDir: process.cwd(),
    }))
  },
}

const { metafile } = await build({
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  external: ['cloudflare:*', 'node:*'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  plugins: [englishOnlyZod],
})
// Read by scripts/bundle-size.mjs to say which package each byte comes from.
writeFileSync('dist/meta.json', JSON.stringify(metafile))

// The static assets come from the same build, so wrangler dev and deploy always ship both.
await import('./build-public.mjs')
