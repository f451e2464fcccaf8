import { z } from '@hono/zod-openapi'
import { parseIfMatch } from '../core/versions'

/** `*` or a list of entity-tags (RFC 9110), at most 256 characters; a longer header is a 400. */
const entityTags = () => z.string().max(256, 'Send at most 256 characters of entity-tags.')
const ENTITY_TAGS = { type: 'string', maxLength: 256, pattern: '^\\s*(\\*|(W/)?"[^"]*"(\\s*,\\s*(W/)?"[^"]*")*)\\s*$' } as const

/** The `ETag` response header, for a route's OpenAPI `responses`. */
export const ETAG_HEADER = {
  ETag: {
    description: 'The version of this record as a strong validator; send it back in If-Match or If-None-Match.',
    schema: { type: 'string' as const, maxLength: 64, pattern: '^"\\d+(\\.\\d+)*"$', example: '"3"' },
  },
}

/**
 * `If-Match` on PUT, PATCH and DELETE of a record whose ETag is made of `arity` versions; handlers
 * receive it parsed (see `parseIfMatch`).
 */
export const ifMatchHeader = (arity: number) =>
  z.object({
    'if-match': entityTags()
      .optional()
      .transform((header) => parseIfMatch(header, arity))
      .openapi({
        ...ENTITY_TAGS,
        description: 'Apply the change only if the record still has this ETag (`*`: any version); otherwise 412 precondition_failed.',
        example: '"3"',
      }),
  })

/** `If-None-Match` on GET of a versioned record; middleware/conditional-get.ts answers it. */
export const IfNoneMatchHeaderSchema = z.object({
  'if-none-match': entityTags().optional().openapi({
    ...ENTITY_TAGS,
    description: 'Answer 304 with no body when the record still has this ETag.',
    example: '"3"',
  }),
})

/** The OpenAPI 304 answer of a conditional GET. */
export const NOT_MODIFIED = { description: 'Not modified: the record still has the ETag sent in If-None-Match; no body.', headers: ETAG_HEADER }
