// `npm run size`: builds the Worker as `wrangler deploy` would and fails when the gzipped bundle
// is over budget. Prints the largest packages in it, so growth has a name.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { wranglerSync } from './wrangler.mjs'

// Raised from 150 to 160 when clinics, the audit archive, the access report and the security fixes
// landed together (133 → 153 KiB); Workers allow 3 MiB (free) and 10 MiB (paid) gzipped, so the budget
// is a tripwire for growth, not a platform limit.
const BUDGET_KIB = 160

const outdir = mkdtempSync(join(tmpdir(), 'bundle-'))
try {
  wranglerSync(['deploy', '--dry-run', '--outdir', outdir])
  const scripts = readdirSync(outdir).filter((name) => name.endsWith('.js'))
  const bundle = Buffer.concat(scripts.map((name) => readFileSync(join(outdir, name))))
  const gzipKiB = gzipSync(bundle, { level: 9 }).length / 1024

  const meta = JSON.parse(readFileSync('dist/meta.json', 'utf8'))
  const byPackage = new Map()
  for (const output of Object.values(meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
      const owner = match ? match[1] : 'src (this project)'
      byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput)
    }
  }
  console.log('\nMinified bytes by package:')
  for (const [owner, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 10)) {
    console.log(`  ${(bytes / 1024).toFixed(1).padStart(7)} KiB  ${owner}`)
  }
  console.log(`\nBundle: ${(bundle.length / 1024).toFixed(1)} KiB, ${gzipKiB.toFixed(1)} KiB gzipped (budget ${BUDGET_KIB} KiB).`)
  if (gzipKiB > BUDGET_KIB) {
    console.error(`Over budget by ${(gzipKiB - BUDGET_KIB).toFixed(1)} KiB.`)
    process.exitCode = 1
  }
} finally {
  rmSync(outdir, { recursive: true, force: true })
}
