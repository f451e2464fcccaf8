import { createRoute, type z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ErrorStatus } from '../core/error-codes'
import type { AuditAction, AuditResourceType } from '../core/audit'
import type { Permission } from '../core/permissions'
import type { Outcome } from '../core/refusal'
import { etagOf, type Versioned } from '../core/versions'
import type { AppEnv } from '../env'
import { recordDisclosure } from '../lib/disclosure'
import { pageOf } from '../lib/page-links'
import { signedIn } from './signed-in'
import { BODY_ERRORS, errorResponses, IdParamSchema, json, requestBody } from '../schemas/common'
import type { PageQuery } from '../schemas/pagination'
import { ETAG_HEADER, ifMatchHeader, IfNoneMatchHeaderSchema, NOT_MODIFIED } from '../schemas/headers'
import { orRefuse, type RefusalWords } from './refusals'

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
  /** What a member's role must hold to read it, to create and change it, and to delete it (core/permissions.ts). */
  permissions: { read: Permission; write: Permission; remove: Permission }
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
  description: string
}

/**
 * Errors every signed-in route of a clinic can answer: no or a bad token (401), a role without the
 * permission (403, on the audit record first: 503 when it cannot be), over the per-user limit (429).
 */
const SIGNED_IN_ERRORS = [401, 403, 429, 503] as const
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
  /** PUT or PATCH; both answer the record as stored with its new ETag, so one handler serves both. */
  const write = <M extends 'put' | 'patch', B extends z.ZodType, R extends z.ZodType, S extends ErrorStatus = never>(
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
      ...signedIn(facts.permissions.write),
      request: { params: IdParamSchema, headers: ifMatch, body: requestBody(body) },
      responses: {
        200: { ...json(record, `The ${facts.noun} as stored`), headers: ETAG_HEADER },
        ...errorResponses<BodyError | SignedInError | 404 | 412 | S>(...BODY_ERRORS, 404, 412, ...SIGNED_IN_ERRORS, ...errors),
      },
    })
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
        ...signedIn(facts.permissions.read),
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
        ...signedIn(facts.permissions.write),
        request: { body: requestBody(body) },
        responses: {
          201: {
            ...json(record, `The new ${facts.noun}`),
            headers: {
              Location: {
                description: `The new ${facts.noun}'s URL`,
                schema: { type: 'string' as const, format: 'uri-reference', maxLength: 64, pattern: `^${facts.collection}\\d+/$`, example: `${facts.collection}1/` },
              },
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
        ...signedIn(facts.permissions.read),
        request: { params: IdParamSchema, headers: IfNoneMatchHeaderSchema },
        responses: {
          200: { ...json(record, `The ${facts.noun}`), headers: ETAG_HEADER },
          304: NOT_MODIFIED,
          ...errorResponses<400 | 404 | SignedInError>(400, 404, ...SIGNED_IN_ERRORS),
        },
      }),

    /** PUT (replace) and PATCH (change some fields): the body schemas differ, the answer is the same. */
    writes: <P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType, S extends ErrorStatus = never>(
      docs: { put: Doc; patch: Doc },
      bodies: { put: P; patch: Q },
      record: R,
      ...errors: S[]
    ) => ({ replace: write('put', docs.put, bodies.put, record, ...errors), patch: write('patch', docs.patch, bodies.patch, record, ...errors) }),

    remove: <S extends ErrorStatus = never>(doc: Doc, ...errors: S[]) =>
      createRoute({
        method: 'delete',
        path: '/{id}',
        tags,
        operationId: ids.remove,
        ...doc,
        ...signedIn(facts.permissions.remove),
        request: { params: IdParamSchema, headers: ifMatch },
        responses: { 204: { description: `The ${facts.noun} is gone` }, ...errorResponses<SignedInError | 400 | 404 | 412 | S>(400, 404, 412, ...SIGNED_IN_ERRORS, ...errors) },
      }),
  }
}

/** A new record answered with its URL and ETag (201), or its refusal thrown as the API error. */
export function createdWithEtag<T extends { id: number }>(c: Context, outcome: Outcome<Versioned<T>>, locationOf: (id: number) => string, words: RefusalWords) {
  const { record, versions } = orRefuse(outcome, words)
  return c.json(record, 201, { Location: locationOf(record.id), ETag: etagOf(versions) })
}

/** A delete answered with 204 and no body, or its refusal thrown as the API error. */
export function deleted(c: Context, outcome: Outcome<{ deleted: true }>, words: RefusalWords) {
  orRefuse(outcome, words)
  return c.body(null, 204)
}

/** A read or write answered as its record with its ETag (200), or its refusal thrown as the API error. */
export function withEtag<T extends object>(c: Context, outcome: Outcome<Versioned<T>>, words: RefusalWords) {
  const { record, versions } = orRefuse(outcome, words)
  return c.json(record, 200, { ETag: etagOf(versions) })
}

/**
 * A list page that shows patients: one event naming every patient on the page, with the query, is
 * on the audit record before the page (with its links) is answered.
 */
export async function disclosedPage<T extends object>(
  c: Context<AppEnv>,
  query: PageQuery,
  page: { count: number; results: T[] },
  event: { action: AuditAction; resourceType: AuditResourceType; patientOf: (item: T) => number },
) {
  const patients = page.results.map(event.patientOf)
  await recordDisclosure(c, { action: event.action, resourceType: event.resourceType, resourceId: null, outcome: 'ok', patients, detail: { query } })
  return c.json(pageOf(c.req.url, query, page), 200)
}
