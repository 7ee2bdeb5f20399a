// Drives the official openai npm package against a running Batchline: upload (both multipart
// shapes), create, poll, list with paging, download, file listing and deletion.
// Environment: BL_BASE_URL (http://127.0.0.1:PORT), BL_API_KEY. Exits non-zero on failure.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';

const client = new OpenAI({ baseURL: `${process.env.BL_BASE_URL}/v1`, apiKey: process.env.BL_API_KEY });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const terminal = new Set(['completed', 'failed', 'expired', 'cancelled']);

function inputLines(prefix, n) {
  const lines = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({
      custom_id: `${prefix}-${i}`,
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'test-model', messages: [{ role: 'user', content: `sdk question ${i}` }], max_tokens: 50 },
    }));
  }
  return lines.join('\n') + '\n';
}

async function poll(id) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const b = await client.batches.retrieve(id);
    assert.equal(typeof b.status, 'string', 'the batch object must parse as JSON');
    if (terminal.has(b.status)) return b;
    assert.ok(Date.now() < deadline, `batch ${id} still ${b.status}`);
    await sleep(100);
  }
}

// Shape 1: a File (undici FormData, with Content-Length).
const sized = await client.files.create({
  file: await toFile(Buffer.from(inputLines('a', 4)), 'sized.jsonl'),
  purpose: 'batch',
});
assert.equal(sized.object, 'file');
assert.equal(sized.purpose, 'batch');
assert.equal(sized.filename, 'sized.jsonl');

// Shape 2: a stream (Transfer-Encoding: chunked, no Content-Length).
const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bl-sdk-')), 'streamed.jsonl');
fs.writeFileSync(tmp, inputLines('b', 3));
const streamed = await client.files.create({ file: fs.createReadStream(tmp), purpose: 'batch' });
assert.equal(streamed.bytes, fs.statSync(tmp).size);

const first = await client.batches.create({
  input_file_id: sized.id,
  endpoint: '/v1/chat/completions',
  completion_window: '24h',
  metadata: { suite: 'sdk' },
});
assert.equal(first.object, 'batch');
assert.equal(first.metadata.suite, 'sdk');
const second = await client.batches.create({
  input_file_id: streamed.id,
  endpoint: '/v1/chat/completions',
  completion_window: '24h',
});

const done = [await poll(first.id), await poll(second.id)];
for (const [b, n] of [[done[0], 4], [done[1], 3]]) {
  assert.equal(b.status, 'completed');
  assert.deepEqual(b.request_counts, { total: n, completed: n, failed: 0 });
  assert.ok(b.output_file_id, 'a completed batch has an output file');
  assert.equal(b.error_file_id, null);
}

// List with paging: the SDK follows the last item's id.
const listed = [];
for await (const b of client.batches.list({ limit: 1 })) listed.push(b.id);
assert.deepEqual(listed, [second.id, first.id]);

// Download the output and match every line by custom_id.
const response = await client.files.content(done[0].output_file_id);
const text = await response.text();
const lines = text.trim().split('\n').map((l) => JSON.parse(l));
assert.equal(lines.length, 4);
const byId = new Map(lines.map((l) => [l.custom_id, l]));
for (let i = 0; i < 4; i++) {
  const line = byId.get(`a-${i}`);
  assert.ok(line, `line a-${i}`);
  assert.equal(line.error, null);
  assert.equal(line.response.status_code, 200);
  assert.equal(line.response.body.object, 'chat.completion');
  assert.equal(line.response.body.choices[0].message.content, `Echo: sdk question ${i}`);
}

const output = await client.files.retrieve(done[0].output_file_id);
assert.equal(output.purpose, 'batch_output');
const files = [];
for await (const f of client.files.list()) files.push(f.id);
assert.ok(files.includes(sized.id) && files.includes(streamed.id));
const deleted = await client.files.delete(sized.id);
assert.equal(deleted.deleted, true);
await assert.rejects(client.files.retrieve(sized.id), (e) => e instanceof OpenAI.NotFoundError);
await assert.rejects(client.batches.retrieve('batch_00000000000000000000000000000000'),
  (e) => e instanceof OpenAI.NotFoundError && typeof e.message === 'string');

console.log('openai sdk: 1 passed, 0 failed');
