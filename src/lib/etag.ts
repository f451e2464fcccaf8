import { z } from '@hono/zod-openapi'
import { ApiError } from './errors'

/** A record as read or written, with the versions its ETag is made of (a mapping's also covers its patient and doctor). */
export interface Versioned<T> {
  record: T
  versions: readonly number[]
}

/**
 * What an `If-Match` accepts: undefined when any existing record will do (no header, or `*`),
 * else the version tuples it names, empty when nothing can match (malformed, or only weak tags).
 */
export type IfMatch = readonly (readonly number[])[] | undefined

/** More tags than this in one `If-Match` match nothing, which keeps the check within D1's bound-parameter limit. */
const MAX_TAGS = 10
const ENTITY_TAG = /^(W\/)?"([^"]*)"$/
const VERSIONS = /^\d{1,15}(\.\d{1,15})*$/

/** The strong validator of a record: its version(s), quoted, e.g. `"3"`; opaque to clients. */
export const etagOf = (versions: readonly number[]) => `"${versions.join('.')}"`

/** The entity-tags of an `If-Match` / `If-None-Match` list; undefined when any of them is malformed. */
function entityTags(header: string): { weak: boolean; opaque: string }[] | undefined {
  const tags = header.split(',').map((part) => ENTITY_TAG.exec(part.trim()))
  if (!tags.every((tag): tag is RegExpExecArray => tag !== null)) return undefined
  return tags.map(([, weak, opaque]) => ({ weak: weak !== undefined, opaque }))
}

/** Parses `If-Match` for a record whose ETag is made of `arity` versions. */
export function ifMatchOf(header: string | undefined, arity: number): IfMatch {
  if (header === undefined || header.trim() === '*') return undefined
  const tags = entityTags(header)
  if (!tags || tags.length > MAX_TAGS) return []
  // If-Match compares strongly: a weak tag never matches.
  return tags
    .filter((tag) => !tag.weak && VERSIONS.test(tag.opaque))
    .map((tag) => tag.opaque.split('.').map(Number))
    .filter((versions) => versions.length === arity)
}

/** Whether `If-None-Match` names the current ETag (weak comparison) or is `*`: the GET then answers 304. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  return entityTags(header)?.some((tag) => `"${tag.opaque}"` === etag) ?? false
}

export const preconditionFailed = () =>
  new ApiError(412, 'precondition_failed', 'This record has changed since you read it: read it again and retry with its current ETag.')

/** The `ETag` response header, for a route's OpenAPI `responses`. */
export const ETAG_HEADER = {
  ETag: {
    description: 'The version of this record as a strong validator; send it back in If-Match or If-None-Match.',
    schema: { type: 'string' as const, example: '"3"' },
  },
}

/** `If-Match` on PUT, PATCH and DELETE of a versioned record. */
export const IfMatchHeaderSchema = z.object({
  'if-match': z.string().optional().openapi({
    description: 'Apply the change only if the record still has this ETag (`*`: any version); otherwise 412 precondition_failed.',
    example: '"3"',
  }),
})

/** `If-None-Match` on GET of a versioned record. */
export const IfNoneMatchHeaderSchema = z.object({
  'if-none-match': z.string().optional().openapi({
    description: 'Answer 304 with no body when the record still has this ETag.',
    example: '"3"',
  }),
})

/** The OpenAPI 304 answer of a conditional GET. */
export const NOT_MODIFIED = { description: 'Not modified: the record still has the ETag sent in If-None-Match; no body.', headers: ETAG_HEADER }
