import { useState } from 'preact/hooks'
import { request } from '../../api'
import { ConfirmButton } from '../../confirm'
import { navigate } from '../../router'
import { Feedback } from '../../ui'
import { staleOr } from './stale'

export function DeletePatient({ id, name, etag, onStale }: { id: string; name: string; etag: string | null; onStale: () => void }) {
  const [error, setError] = useState<unknown>(null)
  const remove = async () => {
    setError(null)
    try {
      await request('DELETE', `/api/patients/${id}/`, { headers: etag ? { 'if-match': etag } : {} })
      navigate('/console/patients/')
    } catch (caught) {
      setError(staleOr(caught, onStale))
    }
  }
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete patient</h2>
      <ConfirmButton
        danger
        question={`Delete ${name}?`}
        consequence={`${name} and their assignments are deleted for good. The audit history stays.`}
        confirm={`Delete ${name}`}
        onConfirm={remove}
      >
        Delete patient
      </ConfirmButton>
      <Feedback error={error} />
    </section>
  )
}
