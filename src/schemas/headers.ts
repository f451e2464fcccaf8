import { z } from '@hono/zod-openapi'
import { parseIfMatch } from '../core/versions'

/** The `ETag` response header, for a route's OpenAPI `responses`. */
export const ETAG_HEADER = {
  ETag: {
    description: 'The version of this record as a strong validator; send it back in If-Match or If-None-Match.',
    schema: { type: 'string' as const, maxLength: 64, example: '"3"' },
  },
}

/**
 * `If-Match` on PUT, PATCH and DELETE of a record whose ETag is made of `arity` versions; handlers
 * receive it parsed (see `parseIfMatch`).
 */
export const ifMatchHeader = (arity: number) =>
  z.object({
    'if-match': z
      .string()
      .optional()
      .transform((header) => parseIfMatch(header, arity))
      .openapi({
        type: 'string',
        maxLength: 256,
        description: 'Apply the change only if the record still has this ETag (`*`: any version); otherwise 412 precondition_failed.',
        example: '"3"',
      }),
  })

/** `If-None-Match` on GET of a versioned record; middleware/conditional-get.ts answers it. */
export const IfNoneMatchHeaderSchema = z.object({
  'if-none-match': z.string().optional().openapi({
    maxLength: 256,
    description: 'Answer 304 with no body when the record still has this ETag.',
    example: '"3"',
  }),
})

/** The OpenAPI 304 answer of a conditional GET. */
export const NOT_MODIFIED = { description: 'Not modified: the record still has the ETag sent in If-None-Match; no body.', headers: ETAG_HEADER }
