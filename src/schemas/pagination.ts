import { z } from '@hono/zod-openapi'
import { SAFE_INT, WHOLE } from './common'

/** The longest `next`/`previous` link: the API's own URL with a query it accepted. */
const MAX_LINK_LENGTH = 2048

export const MAX_PAGE_SIZE = 100

export const PageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1).openapi({ ...SAFE_INT, description: 'Page number, from 1.', example: 1 }),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(20)
    .openapi({ format: 'int32', description: `Items per page (at most ${MAX_PAGE_SIZE}).`, example: 20 }),
})

export type PageQuery = z.infer<typeof PageQuerySchema>

/** The list envelope, Django REST framework's shape: `{count, next, previous, results}`. */
export const paginated = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({
      count: z.number().int().openapi({ ...WHOLE, example: 1 }),
      next: z.string().nullable().openapi({ format: 'uri', maxLength: MAX_LINK_LENGTH, example: null }),
      previous: z.string().nullable().openapi({ format: 'uri', maxLength: MAX_LINK_LENGTH, example: null }),
      results: z.array(item).max(MAX_PAGE_SIZE).openapi({ description: `At most ${MAX_PAGE_SIZE} items: the page size.` }),
    })
    .openapi(name)

export interface Page<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}
