import type { Context } from 'hono'
import { isRefusal, type Outcome } from '../core/refusal'
import type { Versioned } from '../core/versions'
import type { AppEnv } from '../env'
import type { Patient } from '../schemas/patients'
import { memberMay } from './signed-in'

/**
 * A patient as the signed-in member may see it: without `medical_history` unless their role holds
 * `patient.medical_history`. Every answer that shows a patient goes through here (reads, lists,
 * writes, an assignment's patient), after the request's first round trip has read the role.
 */
export function patientView(c: Context<AppEnv>): (patient: Patient) => Patient {
  if (memberMay(c, 'patient.medical_history')) return (patient) => patient
  return ({ medical_history: _hidden, ...visible }) => visible
}

/** A query's versioned patient as the member may see it (a refusal passes through). */
export function viewed(c: Context<AppEnv>, outcome: Outcome<Versioned<Patient>>): Outcome<Versioned<Patient>> {
  if (isRefusal(outcome)) return outcome
  return { ...outcome, record: patientView(c)(outcome.record) }
}
