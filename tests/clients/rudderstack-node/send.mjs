// Sends one customer's journey (../journey.mjs) to a Rapport server with the official,
// unmodified @rudderstack/rudder-sdk-node library. Its defaults gzip every /v1/batch body
// (Content-Encoding: gzip) and set channel "server", originalTimestamp and a per-message sentAt.
//
//   node send.mjs HOST WRITE_KEY RUN_ID        (or RAPPORT_HOST, RAPPORT_WRITE_KEY, RAPPORT_RUN_ID)
//
// Prints one JSON line on stdout: {"run", "library", "messages": [{method, params, messageId}]}.
// Exits 1 if any delivery failed, 2 on usage errors.
import { randomUUID } from 'node:crypto'
import Analytics from '@rudderstack/rudder-sdk-node'
import { journey, parseArgs, finish } from '../journey.mjs'

const { host, writeKey, run } = parseArgs()

// Library defaults (flushAt 20, gzip on, /v1/batch, basic auth) except a short flush interval and one retry.
const client = new Analytics(writeKey, { dataPlaneUrl: host, flushInterval: 200, retryCount: 1, logLevel: 'error' })

const sent = []
const failures = []
const pending = journey(run).map((call) => new Promise((resolve) => {
  // The library would make a uuid itself; we make it here (as its docs allow) to know which ids to look for.
  const params = { ...call.params, messageId: randomUUID() }
  client[call.method](params, (err) => {
    if (err) {
      failures.push(`${call.method} ${call.params.event ?? ''}: ${err?.message ?? err}`)
    } else {
      sent.push({ ...call, messageId: params.messageId })
    }
    resolve()
  })
}))

let settled = false
const all = Promise.all(pending).then(() => { settled = true })
const deadline = Date.now() + 60000
while (!settled && Date.now() < deadline) {
  // flush() sends one flushAt-sized chunk per call; keep going until every callback has fired.
  await client.flush().catch((err) => failures.push(`flush: ${err?.message ?? err}`))
  await Promise.race([all, new Promise((r) => setTimeout(r, 50))])
}
if (!settled) {
  failures.push('timed out after 60 s waiting for deliveries')
}

finish({ library: '@rudderstack/rudder-sdk-node', host, run, requests: null, sent, failures })
