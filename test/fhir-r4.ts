/**
 * A check of FHIR R4 JSON against the AuditEvent and Bundle structure definitions
 * (hl7.org/fhir/R4/auditevent.html, bundle.html): every element's cardinality, primitive type and
 * required value set, no element the structure does not define, and the invariants sev-1 (an
 * entity has a name or a query, not both), bdl-1 (total only in a searchset or history) and bdl-7
 * (fullUrl unique). Returns one message per violation, each with its path.
 */
type Json = unknown
type Check = (value: Json, path: string, errors: string[]) => void

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value)

const primitive =
  (pattern: RegExp, name: string): Check =>
  (value, path, errors) => {
    if (typeof value !== 'string' || !pattern.test(value)) errors.push(`${path}: not a FHIR ${name}: ${JSON.stringify(value)}`)
  }

const string = primitive(/^[\s\S]+$/, 'string')
const uri = primitive(/^\S+$/, 'uri')
const code = primitive(/^[^\s]+( [^\s]+)*$/, 'code')
const instant = primitive(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, 'instant')
const base64Binary = primitive(/^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/, 'base64Binary')
const boolean: Check = (value, path, errors) => {
  if (typeof value !== 'boolean') errors.push(`${path}: not a boolean`)
}
const unsignedInt: Check = (value, path, errors) => {
  if (!Number.isInteger(value) || (value as number) < 0) errors.push(`${path}: not an unsignedInt`)
}
const oneOf =
  (values: readonly string[]): Check =>
  (value, path, errors) => {
    code(value, path, errors)
    if (typeof value === 'string' && !values.includes(value)) errors.push(`${path}: ${value} is not in the required value set (${values.join(', ')})`)
  }

type Element = { check: Check; min?: 1; many?: true }

const structure =
  (elements: Record<string, Element>, invariant?: (value: Record<string, Json>, path: string, errors: string[]) => void): Check =>
  (value, path, errors) => {
    if (!isObject(value)) {
      errors.push(`${path}: not an object`)
      return
    }
    for (const key of Object.keys(value)) if (!(key in elements)) errors.push(`${path}.${key}: no such element`)
    for (const [key, element] of Object.entries(elements)) {
      const present = value[key]
      if (present === undefined) {
        if (element.min) errors.push(`${path}.${key}: required (1..${element.many ? '*' : '1'})`)
        continue
      }
      if (element.many) {
        if (!Array.isArray(present) || present.length === 0) errors.push(`${path}.${key}: must be a non-empty array`)
        else present.forEach((item, index) => element.check(item, `${path}.${key}[${index}]`, errors))
      } else if (Array.isArray(present)) errors.push(`${path}.${key}: must not be an array (0..1)`)
      else element.check(present, `${path}.${key}`, errors)
    }
    invariant?.(value, path, errors)
  }

const Coding = structure({ system: { check: uri }, version: { check: string }, code: { check: code }, display: { check: string }, userSelected: { check: boolean } })
const CodeableConcept = structure({ coding: { check: Coding, many: true }, text: { check: string } })
const Identifier = structure({ use: { check: oneOf(['usual', 'official', 'temp', 'secondary', 'old']) }, system: { check: uri }, value: { check: string } })
const Reference = structure({ reference: { check: string }, type: { check: uri }, identifier: { check: Identifier }, display: { check: string } })
const Meta = structure({ versionId: { check: string }, lastUpdated: { check: instant }, source: { check: uri }, profile: { check: uri, many: true } })

const Agent = structure({
  type: { check: CodeableConcept },
  role: { check: CodeableConcept, many: true },
  who: { check: Reference },
  altId: { check: string },
  name: { check: string },
  requestor: { check: boolean, min: 1 },
  location: { check: Reference },
  policy: { check: uri, many: true },
  media: { check: Coding },
  network: { check: structure({ address: { check: string }, type: { check: oneOf(['1', '2', '3', '4', '5']) } }) },
  purposeOfUse: { check: CodeableConcept, many: true },
})

const Entity = structure(
  {
    what: { check: Reference },
    type: { check: Coding },
    role: { check: Coding },
    lifecycle: { check: Coding },
    securityLabel: { check: Coding, many: true },
    name: { check: string },
    description: { check: string },
    query: { check: base64Binary },
    detail: { check: structure({ type: { check: string, min: 1 }, valueString: { check: string }, valueBase64Binary: { check: base64Binary } }), many: true },
  },
  (entity, path, errors) => {
    if (entity.name !== undefined && entity.query !== undefined) errors.push(`${path}: sev-1: either a name or a query (NOT both)`)
  },
)

export const AuditEventR4 = structure({
  resourceType: { check: oneOf(['AuditEvent']), min: 1 },
  id: { check: primitive(/^[A-Za-z0-9\-.]{1,64}$/, 'id') },
  meta: { check: Meta },
  type: { check: Coding, min: 1 },
  subtype: { check: Coding, many: true },
  action: { check: oneOf(['C', 'R', 'U', 'D', 'E']) },
  period: { check: structure({ start: { check: instant }, end: { check: instant } }) },
  recorded: { check: instant, min: 1 },
  outcome: { check: oneOf(['0', '4', '8', '12']) },
  outcomeDesc: { check: string },
  purposeOfEvent: { check: CodeableConcept, many: true },
  agent: { check: Agent, min: 1, many: true },
  source: { check: structure({ site: { check: string }, observer: { check: Reference, min: 1 }, type: { check: Coding, many: true } }), min: 1 },
  entity: { check: Entity, many: true },
})

export const BundleOfAuditEventsR4 = structure(
  {
    resourceType: { check: oneOf(['Bundle']), min: 1 },
    id: { check: string },
    meta: { check: Meta },
    type: { check: oneOf(['document', 'message', 'transaction', 'transaction-response', 'batch', 'batch-response', 'history', 'searchset', 'collection']), min: 1 },
    timestamp: { check: instant },
    total: { check: unsignedInt },
    entry: {
      check: structure({
        fullUrl: { check: uri },
        resource: { check: AuditEventR4 },
        search: { check: structure({ mode: { check: oneOf(['match', 'include', 'outcome']) }, score: { check: () => {} } }) },
      }),
      many: true,
    },
  },
  (bundle, path, errors) => {
    if (bundle.total !== undefined && bundle.type !== 'searchset' && bundle.type !== 'history') errors.push(`${path}: bdl-1: total only when a search or history`)
    const urls = Array.isArray(bundle.entry) ? bundle.entry.map((entry) => (isObject(entry) ? entry.fullUrl : undefined)).filter(Boolean) : []
    if (new Set(urls).size !== urls.length) errors.push(`${path}: bdl-7: fullUrl must be unique`)
  },
)

/** The violations of `value` against a structure, empty when it conforms. */
export function violations(check: Check, value: Json): string[] {
  const errors: string[] = []
  check(value, value && isObject(value) ? String(value.resourceType) : 'value', errors)
  return errors
}
