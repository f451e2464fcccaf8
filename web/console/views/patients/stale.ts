import { RequestFailed } from '../../api'

const STALE_EDIT =
  'Someone changed this patient after you opened it, so your edit was not saved. Reload the patient to see the current record, then make your change again.'

/** A 412 in the console's own words (the user did nothing wrong); other errors as they are. */
export function staleOr(error: unknown, onStale: () => void): unknown {
  if (error instanceof RequestFailed && error.status === 412) {
    onStale()
    return new RequestFailed(412, error.code, STALE_EDIT)
  }
  return error
}
