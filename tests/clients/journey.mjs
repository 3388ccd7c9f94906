// One customer's journey as Segment spec calls, shared by the client-library checks in this
// folder. Each entry is { method, params }: `client[method](params, callback)` is the public API
// of both @segment/analytics-node and @rudderstack/rudder-sdk-node. The C# test
// (tests/Rapport.Tests/Collect/SegmentClientLibraryTests.cs) reads back what the script reports
// and checks each message arrived once, with these properties and traits, on one merged customer.

export const burstSize = 50

export function journey(run) {
  const anonymousId = `anon-${run}`
  const legacyId = `legacy-${run}`
  const userId = `user-${run}`
  const calls = [
    // An anonymous visit.
    { method: 'page', params: { anonymousId, category: 'Shop', name: 'Home', properties: { path: '/', url: 'https://shop.example/', title: 'Home' } } },
    // The same person on an older device, before we knew them.
    { method: 'track', params: { anonymousId: legacyId, event: 'Product Viewed', properties: { product_id: 'sku-old', sku: 'sku-old', name: 'Old Mug', price: 9.5 } } },
    // They sign in: identify links the anonymous visit to the user.
    { method: 'identify', params: { userId, anonymousId, traits: { email: `ann.${run}@example.com`, name: 'Ann Example', plan: 'gold', age: 41 } } },
    // They buy.
    {
      method: 'track',
      params: {
        userId,
        event: 'Order Completed',
        properties: {
          order_id: `order-${run}`,
          total: 61.5,
          revenue: 56.5,
          shipping: 5,
          currency: 'EUR',
          products: [
            { product_id: 'sku-1', sku: 'sku-1', name: 'Teapot', price: 30, quantity: 1, category: 'Kitchen' },
            { product_id: 'sku-2', sku: 'sku-2', name: 'Cup', price: 13.25, quantity: 2, category: 'Kitchen' },
          ],
        },
      },
    },
    // The older device's id is aliased to the user.
    { method: 'alias', params: { userId, previousId: legacyId } },
    // They belong to a company.
    { method: 'group', params: { userId, groupId: `acme-${run}`, traits: { name: 'Acme Ltd', industry: 'Retail', employees: 120 } } },
  ]
  // A burst: the libraries send these as several /v1/batch requests.
  for (let i = 0; i < burstSize; i++) {
    calls.push({
      method: 'track',
      params: { userId, event: 'Product Viewed', properties: { product_id: `sku-${i}`, sku: `sku-${i}`, name: `Product ${i}`, price: 1 + i / 4, position: i } },
    })
  }
  return calls
}

/** Reads HOST WRITE_KEY RUN_ID from argv or RAPPORT_HOST, RAPPORT_WRITE_KEY, RAPPORT_RUN_ID; exits 2 if missing. */
export function parseArgs() {
  const host = process.argv[2] ?? process.env.RAPPORT_HOST
  const writeKey = process.argv[3] ?? process.env.RAPPORT_WRITE_KEY
  const run = process.argv[4] ?? process.env.RAPPORT_RUN_ID
  if (!host || !writeKey || !run) {
    console.error('usage: node send.mjs HOST WRITE_KEY RUN_ID (or set RAPPORT_HOST, RAPPORT_WRITE_KEY, RAPPORT_RUN_ID)')
    process.exit(2)
  }
  return { host, writeKey, run }
}

/** Prints the manifest (one JSON line on stdout) and exits 0, or lists failures and exits 1. */
export function finish({ library, host, run, requests, sent, failures }) {
  if (failures.length > 0 || sent.length === 0) {
    console.error(`${library}: ${failures.length} failure(s), ${sent.length} delivered:\n  ${failures.join('\n  ')}`)
    process.exit(1)
  }
  console.error(`${library}: delivered ${sent.length} messages${requests === null ? '' : ` in ${requests} HTTP request(s)`} to ${host}`)
  console.log(JSON.stringify({ run, library, requests, messages: sent }))
  process.exit(0)
}
