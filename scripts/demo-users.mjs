// @ts-check
/** The demo accounts `npm run db:seed` creates; `npm start` names the first one. */
export const DEMO_USERS = [
  { name: 'Dr. Amara Okafor', email: 'amara@demo.clinic', password: 'Demo-Amara-2026!' },
  { name: 'Nurse Lukas Berg', email: 'lukas@demo.clinic', password: 'Demo-Lukas-2026!' },
  { name: 'Priya Raman', email: 'priya@demo.clinic', password: 'Demo-Priya-2026!' },
]
