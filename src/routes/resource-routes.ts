import { createRoute, type z } from '@hono/zod-openapi'
import type { ErrorStatus } from '../core/error-codes'
import { signedIn } from '../middleware/require-user'
import { BODY_ERRORS, errorResponses, IdParamSchema, json, requestBody } from '../schemas/common'
import { ETAG_HEADER, ifMatchHeader, IfNoneMatchHeaderSchema, NOT_MODIFIED } from '../schemas/headers'

/** What a resource's routes are built from. */
export interface ResourceFacts {
  /** The OpenAPI tag its operations are grouped under. */
  tag: string
  /** One record, in words: "patient". */
  noun: string
  /** Where its records live: "/api/patients/". */
  collection: string
  /** How many versions its ETag is made of (an assignment's also covers its patient and doctor). */
  arity: number
}

/** The stable operationIds of a resource's routes, from its noun: listPatients, getPatient, ... */
export function operationIds(noun: string) {
  const name = noun[0].toUpperCase() + noun.slice(1)
  return {
    list: `list${name}s`,
    create: `create${name}`,
    read: `get${name}`,
    put: `replace${name}`,
    patch: `update${name}`,
    remove: `delete${name}`,
  }
}

/** A route's summary and description in the OpenAPI document. */
interface Doc {
  summary: string
  description?: string
}

/** Errors every signed-in route can answer: no or a bad token (401), over the per-user limit (429). */
const SIGNED_IN_ERRORS = [401, 429] as const
type SignedInError = (typeof SIGNED_IN_ERRORS)[number]
type BodyError = (typeof BODY_ERRORS)[number]

/**
 * The route configs of a signed-in resource with `{id}` records: list, create, read (ETag, 304),
 * PUT/PATCH (If-Match, 412) and DELETE (If-Match). Each builder takes only what differs between
 * resources: the schemas and the extra error statuses (403, 409) the resource can answer.
 */
export function resourceRoutes(facts: ResourceFacts) {
  const tags = [facts.tag]
  const ids = operationIds(facts.noun)
  const ifMatch = ifMatchHeader(facts.arity)
  return {
    /** The URL of one record, for `Location`. */
    locationOf: (id: number) => `${facts.collection}${id}/`,

    list: <Q extends z.ZodObject, P extends z.ZodType>(doc: Doc, query: Q, page: P) =>
      createRoute({
        method: 'get',
        path: '/',
        tags,
        operationId: ids.list,
        ...doc,
        ...signedIn,
        request: { query },
        responses: { 200: json(page, `One page of ${facts.noun}s`), ...errorResponses<400 | SignedInError>(400, ...SIGNED_IN_ERRORS) },
      }),

    create: <B extends z.ZodType, R extends z.ZodType, S extends ErrorStatus = never>(doc: Doc, body: B, record: R, ...errors: S[]) =>
      createRoute({
        method: 'post',
        path: '/',
        tags,
        operationId: ids.create,
        ...doc,
        ...signedIn,
        request: { body: requestBody(body) },
        responses: {
          201: {
            ...json(record, `The new ${facts.noun}`),
            headers: {
              Location: { description: `The new ${facts.noun}'s URL`, schema: { type: 'string' as const, maxLength: 64, example: `${facts.collection}1/` } },
              ...ETAG_HEADER,
            },
          },
          ...errorResponses<BodyError | SignedInError | S>(...BODY_ERRORS, ...SIGNED_IN_ERRORS, ...errors),
        },
      }),

    read: <R extends z.ZodType>(doc: Doc, record: R) =>
      createRoute({
        method: 'get',
        path: '/{id}',
        tags,
        operationId: ids.read,
        ...doc,
        ...signedIn,
        request: { params: IdParamSchema, headers: IfNoneMatchHeaderSchema },
        responses: {
          200: { ...json(record, `The ${facts.noun}`), headers: ETAG_HEADER },
          304: NOT_MODIFIED,
          ...errorResponses<400 | 404 | SignedInError>(400, 404, ...SIGNED_IN_ERRORS),
        },
      }),

    /** PUT or PATCH; both answer the record as stored with its new ETag, so one handler serves both. */
    write: <M extends 'put' | 'patch', B extends z.ZodType, R extends z.ZodType, S extends ErrorStatus = never>(
      method: M,
      doc: Doc,
      body: B,
      record: R,
      ...errors: S[]
    ) =>
      createRoute({
        method,
        path: '/{id}',
        tags,
        operationId: ids[method],
        ...doc,
        ...signedIn,
        request: { params: IdParamSchema, headers: ifMatch, body: requestBody(body) },
        responses: {
          200: { ...json(record, `The ${facts.noun} as stored`), headers: ETAG_HEADER },
          ...errorResponses<BodyError | SignedInError | 404 | 412 | S>(...BODY_ERRORS, 404, 412, ...SIGNED_IN_ERRORS, ...errors),
        },
      }),

    remove: <S extends ErrorStatus = never>(doc: Doc, ...errors: S[]) =>
      createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        operationId: ids.remove,
        ...doc,
        ...signedIn,
        request: { params: IdParamSchema, headers: ifMatch },
        responses: { 204: { description: `The ${facts.noun} is gone` }, ...errorResponses<SignedInError | 400 | 404 | 412 | S>(400, 404, 412, ...SIGNED_IN_ERRORS, ...errors) },
      }),
  }
}
