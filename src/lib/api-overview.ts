/**
 * The first thing the API reference (/docs/) shows, as Markdown: what every operation has in common,
 * a few lines each. The README and docs/ of the repository say the rest.
 */
export const API_OVERVIEW = `Staff accounts, patient records, a shared doctor directory and doctor assignments.

**Signing in.** \`POST /api/auth/login/\` answers an access token and a refresh token. Press *Authorize* and paste the access token; every operation marked with a lock then sends it as \`Authorization: Bearer …\`.

**Pagination.** Lists take \`page\` (from 1) and \`page_size\` (at most 100) and answer \`{count, next, previous, results}\`, the shape of Django REST framework.

**Errors.** Every refusal is one JSON envelope, \`{error, code, details}\`: \`error\` is a sentence to show, \`code\` a stable name, \`details\` each field's problems. A 5xx answer carries a \`request_id\` to quote; it never carries internals.

**ETags.** Reading one record answers an \`ETag\`. Send it back as \`If-Match\` on PUT, PATCH and DELETE: if someone changed the record meanwhile, the answer is 412 and nothing is overwritten. \`If-None-Match\` answers 304 when nothing changed.

**Audit.** Every answer that discloses patient data (a record, a list page, a history) is on the audit record: who asked, when, from where and for which patients. Administrators read it at \`/api/admin/audit/\`.

More in the repository's README.md and docs/ pages.`
