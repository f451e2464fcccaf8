import { z } from 'zod'

/** Django REST framework's wording for missing and null fields, in every schema's messages; app.ts calls it once. */
export function configureZod(): void {
  z.config({
    customError: (issue) => {
      if (issue.code === 'invalid_type' && issue.input === undefined) return 'This field is required.'
      if (issue.code === 'invalid_type' && issue.input === null) return 'This field may not be null.'
      return undefined
    },
  })
}
