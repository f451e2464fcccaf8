// `npm run size:console`: builds the static assets and fails when the console's JavaScript and CSS
// together are over budget gzipped. The docs (Swagger UI) are measured and printed, not budgeted:
// they are static assets, never part of the Worker's bundle (`npm run size`).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import './build-public.mjs'

const BUDGET_KIB = 60

/**
 * Gzipped KiB of each .js and .css file in a directory of dist/public.
 * @param {string} dir
 */
function measure(dir) {
  const path = join('dist/public', dir)
  return readdirSync(path)
    .filter((name) => /\.(js|css)$/.test(name))
    .map((name) => ({ name: `${dir}/${name}`, kib: gzipSync(readFileSync(join(path, name)), { level: 9 }).length / 1024 }))
}

const consoleFiles = measure('console')
const docsFiles = measure('docs')
for (const { name, kib } of [...consoleFiles, ...docsFiles]) console.log(`  ${kib.toFixed(1).padStart(7)} KiB  ${name}`)
const total = consoleFiles.reduce((sum, { kib }) => sum + kib, 0)
console.log(`\nConsole: ${total.toFixed(1)} KiB gzipped, JS and CSS (budget ${BUDGET_KIB} KiB).`)
if (total > BUDGET_KIB) {
  console.error(`Over budget by ${(total - BUDGET_KIB).toFixed(1)} KiB.`)
  process.exitCode = 1
}
