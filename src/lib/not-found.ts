import type { Context } from 'hono'
import type { AppEnv } from '../env'
import { ApiError, handleError } from './errors'

interface RegisteredRoute {
  method: string
  path: string
}

interface RouteTable {
  pattern: RegExp
  methods: Set<string>
}

/**
 * `notFound` that tells "no such path" (404) from "path exists, method doesn't" (405 with `Allow`),
 * which Hono's router does not distinguish on its own.
 */
export function notFoundOrMethodNotAllowed(routes: readonly RegisteredRoute[]) {
  let table: RouteTable[] | undefined
  return (c: Context<AppEnv>): Response => {
    table ??= buildTable(routes)
    const path = c.req.path
    const allowed = new Set<string>()
    for (const entry of table) {
      if (entry.pattern.test(path)) for (const method of entry.methods) allowed.add(method)
    }
    if (allowed.size === 0) return handleError(new ApiError('not_found', 'No endpoint lives at this path.'), c)
    if (allowed.has('GET')) allowed.add('HEAD')
    const allow = [...allowed].sort().join(', ')
    const error = new ApiError('method_not_allowed', `Method ${c.req.method} is not allowed here. Allowed: ${allow}.`, {
      headers: { Allow: allow },
    })
    return handleError(error, c)
  }
}

function buildTable(routes: readonly RegisteredRoute[]): RouteTable[] {
  const byPath = new Map<string, Set<string>>()
  for (const { method, path } of routes) {
    if (method === 'ALL') continue
    const methods = byPath.get(path) ?? new Set<string>()
    methods.add(method)
    byPath.set(path, methods)
  }
  return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }))
}

function pathPattern(path: string): RegExp {
  const source = path
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/')
  return new RegExp(`^${source}/?$`)
}
