/* global Response */
// The tail reference: a Worker that answers a constant, with no framework, auth or D1. Loaded next
// to the app in the same Miniflare instance, behind the same HTTP server and load, so its p99/p50 is
// what the runtime and the load generator sharing the machine's cores cost on their own.
export default {
  fetch() {
    return new Response('{"status":"ok"}', { headers: { 'content-type': 'application/json' } })
  },
}
