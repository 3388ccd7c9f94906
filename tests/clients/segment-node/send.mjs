// Sends one customer's journey (../journey.mjs) to a Rapport server with the official,
// unmodified @segment/analytics-node library, exactly as an application would.
//
//   node send.mjs HOST WRITE_KEY RUN_ID        (or RAPPORT_HOST, RAPPORT_WRITE_KEY, RAPPORT_RUN_ID)
//
// Prints one JSON line on stdout: {"run", "library", "requests", "messages": [{method, params, messageId}]}
// listing every message the library delivered. Exits 1 if any delivery failed (the library
// reports non-2xx replies as failures), 2 on usage errors.
import { Analytics } from '@segment/analytics-node'
import { journey, parseArgs, finish } from '../journey.mjs'

const { host, writeKey, run } = parseArgs()

// Library defaults (flushAt 15, /v1/batch, basic auth) except a short flush interval and few retries: a test fails fast.
const analytics = new Analytics({ writeKey, host, flushInterval: 200, maxRetries: 2, httpRequestTimeout: 15000 })

const sent = []
const failures = []
let requests = 0
analytics.on('http_request', () => { requests++ })

for (const call of journey(run)) {
  analytics[call.method](call.params, (err, ctx) => {
    if (err) {
      failures.push(`${call.method} ${call.params.event ?? ''}: ${err?.reason ?? err?.message ?? err}`)
    } else {
      // The library makes the messageId ("node-next-<ms>-<uuid>"); Rapport dedupes on it.
      sent.push({ ...call, messageId: ctx.event.messageId })
    }
  })
}

await analytics.closeAndFlush({ timeout: 60000 })
finish({ library: '@segment/analytics-node', host, run, requests, sent, failures })
