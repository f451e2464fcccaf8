import { useState } from 'preact/hooks'
import { request } from '../../api'
import { navigate } from '../../router'
import { Alert } from '../../ui'
import { staleOr } from './stale'

export function DeletePatient({ id, name, etag, onStale }: { id: string; name: string; etag: string | null; onStale: () => void }) {
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const remove = async () => {
    setError(null)
    try {
      await request('DELETE', `/api/patients/${id}/`, { headers: etag ? { 'if-match': etag } : {} })
      navigate('/console/patients/')
    } catch (caught) {
      setError(staleOr(caught, onStale))
      setConfirming(false)
    }
  }
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete patient</h2>
      <Alert error={error} />
      {confirming ? (
        <div role="group" aria-label="Confirm deletion">
          <p>Delete {name} for good? The audit history stays.</p>
          <button type="button" class="danger" onClick={remove}>
            Yes, delete {name}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Delete patient
        </button>
      )}
    </section>
  )
}
