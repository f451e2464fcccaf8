import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The layers, top to bottom: app → routes/ → middleware/ → auth/, lib/ → schemas/, db/ → core/.
 * A folder may import the layers below it, never those above; `type` imports are allowed where a
 * lower layer only names a shape defined higher up (db/ returns the API types of schemas/).
 */
const layer = (files, forbidden, { types = [] } = {}) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: forbidden, message: `${files[0]} sits below this layer (see eslint.config.js).` },
          ...(types.length ? [{ group: types, allowTypeImports: true, message: `${files[0]} may only import types from this layer.` }] : []),
        ],
      },
    ],
  },
})

const FRAMEWORKS = ['hono', 'hono/*', '@hono/*', 'kysely', 'kysely-d1', 'zod']

/** The Worker's entry and top: only the Worker itself imports these, so no lower module can make a cycle through them. */
const TOP = ['../app', '../index', '../audit-consumer', '../scheduled']

export default tseslint.config(
  { ignores: ['node_modules/', '.wrangler/', 'dist/', 'bench-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] },
  },
  layer(['src/core/**'], ['../*', '!../core/*', ...FRAMEWORKS]),
  layer(['src/db/**'], ['../lib/*', '../auth/*', '../middleware/*', '../routes/*', '../env', ...TOP, 'hono', 'hono/*', '@hono/*', 'zod', '@hono/zod-openapi'], {
    types: ['../schemas/*'],
  }),
  layer(['src/schemas/**'], ['../db/*', '../lib/*', '../auth/*', '../middleware/*', '../routes/*', '../env', ...TOP]),
  layer(['src/lib/**'], ['../auth/*', '../middleware/*', '../routes/*', ...TOP], { types: ['../db/*'] }),
  layer(['src/auth/**'], ['../db/*', '../middleware/*', '../routes/*', ...TOP]),
  layer(['src/middleware/**'], ['../routes/*', ...TOP]),
  layer(['src/routes/**'], TOP),
  {
    // The console runs in the browser: of the API's code it may bundle only the zod-free vocabularies
    // of src/core/enums.ts and the permissions table of src/core/permissions.ts (which imports only
    // the enums); the rest of src/ it may name as types, which esbuild drops.
    files: ['web/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)src/(?!core/(enums|permissions)$)',
              allowTypeImports: true,
              message: 'The console bundles only src/core/enums.ts and src/core/permissions.ts of the API; import the rest as types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', fetch: 'readonly' } },
  },
  {
    // tsconfig has Node's types for scripts/; the Worker runs in workerd, which has none of these.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'setImmediate'],
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'The Worker runs in workerd without nodejs_compat.' }] }],
    },
  },
  {
    files: ['e2e/**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', fetch: 'readonly', URL: 'readonly', setTimeout: 'readonly', performance: 'readonly', AbortSignal: 'readonly' },
    },
  },
  {
    // Functions passed to page.evaluate / waitForFunction run in the browser.
    files: ['e2e/**/*.test.mjs', 'e2e/support.mjs'],
    languageOptions: { globals: { document: 'readonly', navigator: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', location: 'readonly', URLSearchParams: 'readonly', window: 'readonly', innerWidth: 'readonly', history: 'readonly', dispatchEvent: 'readonly', PopStateEvent: 'readonly' } },
  },
  {
    files: ['web/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly' } },
  },
)
