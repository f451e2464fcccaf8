// What esbuild needs to bundle Worker code as workerd runs it, shared by the Worker's build
// (scripts/build.mjs) and the OpenAPI export (scripts/openapi.mjs), so both resolve the same modules.

/** @type {import('esbuild').BuildOptions} */
export const WORKER_TARGET = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'neutral',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
}
