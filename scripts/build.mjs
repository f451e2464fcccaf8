// The Worker's production build (wrangler.toml `[build]`): esbuild as wrangler would run it, minus
// zod's 40-odd translations of its error messages. They are a third of the bundle, and this API
// writes its own English messages; `zod/v4/locales` is replaced by a module with English alone.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { build } from 'esbuild'
import { WORKER_TARGET } from './worker-target.mjs'

const OUTPUT = 'dist/index.js'
const META = 'dist/meta.json'

/**
 * Whether dist/ was built after every file that went into it (and after this script). `wrangler dev`
 * builds once at start and again as soon as its watcher on src/ is ready; the second build finds
 * nothing to do. Other commands (deploy, size) always build.
 */
function upToDate() {
  if (!existsSync(OUTPUT) || !existsSync(META)) return false
  const built = statSync(OUTPUT).mtimeMs
  /** @type {{ inputs: Record<string, unknown> }} */
  const { inputs } = JSON.parse(readFileSync(META, 'utf8'))
  // Inputs in a plugin's namespace (`english-only-zod:...`) are not files.
  const files = Object.keys(inputs).filter((path) => !/^[\w-]+:/.test(path))
  const sources = [...files, 'scripts/build.mjs', 'scripts/worker-target.mjs', 'package-lock.json']
  return sources.every((path) => existsSync(path) && statSync(path).mtimeMs <= built)
}

if (process.env.WRANGLER_COMMAND === 'dev' && upToDate()) {
  console.log(`${OUTPUT} is up to date.`)
  // The console and docs are not among the Worker's inputs: they are rebuilt every time (well under a second).
  await import('./build-public.mjs')
  process.exit(0)
}

/**
 * Replaces zod's locale index with English only; nothing else in zod changes.
 * @type {import('esbuild').Plugin}
 */
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
  ...WORKER_TARGET,
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
