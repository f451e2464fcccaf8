import type { D1Migration } from 'cloudflare:test'
import type { Bindings } from '../src/env'

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[]
      JWT_SECRET: string
      SMALL_LIMITER: RateLimit
      MIGRATION_DB: D1Database
    }
  }
}
