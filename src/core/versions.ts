/** A record as read or written, with the versions its ETag is made of (an assignment's also covers its patient and doctor). */
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
export function parseIfMatch(header: string | undefined, arity: number): IfMatch {
  if (header === undefined || header.trim() === '*') return undefined
  const tags = entityTags(header)
  if (!tags || tags.length > MAX_TAGS) return []
  // If-Match compares strongly: a weak tag never matches.
  return tags
    .filter((tag) => !tag.weak && VERSIONS.test(tag.opaque))
    .map((tag) => tag.opaque.split('.').map(Number))
    .filter((versions) => versions.length === arity)
}

/** Whether a record at `versions` satisfies an `If-Match` (as the SQL of a guarded write checks it). */
export const ifMatchHolds = (accepted: IfMatch, versions: readonly number[]) =>
  accepted === undefined || accepted.some((tuple) => tuple.length === versions.length && tuple.every((version, index) => version === versions[index]))

/** Whether `If-None-Match` names this ETag (weak comparison) or is `*`: a GET then answers 304. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  if (header.trim() === '*') return true
  return entityTags(header)?.some((tag) => `"${tag.opaque}"` === etag) ?? false
}
