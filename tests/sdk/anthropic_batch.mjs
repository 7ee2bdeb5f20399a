// Drives the official @anthropic-ai/sdk against a running Batchline: create, poll, list with
// paging, results, cancel and delete of Message Batches.
// Environment: BL_BASE_URL (http://127.0.0.1:PORT), BL_API_KEY. Exits non-zero on failure.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ baseURL: process.env.BL_BASE_URL, apiKey: process.env.BL_API_KEY });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function requests(prefix, n) {
  return Array.from({ length: n }, (_, i) => ({
    custom_id: `${prefix}-${i}`,
    params: {
      model: 'test-model',
      max_tokens: 64,
      system: 'be brief',
      messages: [{ role: 'user', content: `sdk prompt ${i}` }],
    },
  }));
}

async function pollEnded(id) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const b = await client.messages.batches.retrieve(id);
    if (b.processing_status === 'ended') return b;
    assert.ok(Date.now() < deadline, `batch ${id} still ${b.processing_status}`);
    await sleep(100);
  }
}

const first = await client.messages.batches.create({ requests: requests('x', 3) });
assert.equal(first.type, 'message_batch');
assert.equal(first.processing_status, 'in_progress');
const second = await client.messages.batches.create({ requests: requests('y', 2) });

const ended = await pollEnded(first.id);
assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 3, errored: 0, canceled: 0, expired: 0 });
assert.ok(ended.results_url);

const results = new Map();
for await (const r of await client.messages.batches.results(first.id)) results.set(r.custom_id, r);
assert.equal(results.size, 3);
for (let i = 0; i < 3; i++) {
  const r = results.get(`x-${i}`);
  assert.equal(r.result.type, 'succeeded');
  assert.equal(r.result.message.content[0].text, `Echo: sdk prompt ${i}`);
}

await pollEnded(second.id);
const listed = [];
for await (const b of client.messages.batches.list({ limit: 1 })) listed.push(b.id);
assert.deepEqual(listed, [second.id, first.id]);

const cancelled = await client.messages.batches.cancel(second.id);
assert.equal(cancelled.processing_status, 'ended');
const gone = await client.messages.batches.delete(first.id);
assert.equal(gone.type, 'message_batch_deleted');
await assert.rejects(client.messages.batches.retrieve(first.id),
  (e) => e instanceof Anthropic.NotFoundError);

console.log('anthropic sdk: 1 passed, 0 failed');
