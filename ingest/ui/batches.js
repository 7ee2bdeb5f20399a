// Batches: submit a JSONL file through Files + Batches, and the newest batches with their
// progress, refreshed every second while the view is open.
import { api } from './api.js';
import { $, el, fillTable, formatNumber, formatTime, row } from './dom.js';

const REFRESH_MS = 1000;

// The same line shapes as `batchline submit` (docs/cli.md): an OpenAI batch line, a request
// body, or {"prompt": "..."}; the model from the form is set on every body.
export function toBatchInput(text, model) {
  const out = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    let item;
    try {
      item = JSON.parse(line);
    } catch {
      throw new Error(`line ${index + 1}: not a JSON object`);
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error(`line ${index + 1}: not a JSON object`);
    const customId = typeof item.custom_id === 'string' ? item.custom_id : `line-${index + 1}`;
    let body;
    if (item.body) {
      body = { ...item.body };
    } else {
      const { custom_id: _, prompt, ...rest } = item;
      body = typeof prompt === 'string' ? { ...rest, messages: [{ role: 'user', content: prompt }] } : rest;
    }
    if (model) body.model = model;
    out.push(JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body }));
  });
  if (out.length === 0) throw new Error('no requests');
  return { jsonl: `${out.join('\n')}\n`, requests: out.length };
}

async function submit(event) {
  event.preventDefault();
  const status = $('#submit-status');
  try {
    const file = $('#submit-file').files[0];
    const text = file ? await file.text() : $('#submit-lines').value;
    const input = toBatchInput(text, $('#submit-model').value.trim());
    status.textContent = `Uploading ${input.requests} requests…`;
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([input.jsonl], { type: 'application/jsonl' }), 'input.jsonl');
    const uploaded = await api.post('/v1/files', form);
    const batch = await api.post('/v1/batches', {
      input_file_id: uploaded.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    status.textContent = `Submitted ${batch.id}`;
    status.dataset.batchId = batch.id;
    await refresh();
  } catch (e) {
    status.textContent = e.message;
    status.className = 'error';
  }
}

function progressBar(percent, ended) {
  const bar = el('div', { class: ended ? 'bar done' : 'bar', title: `${percent.toFixed(1)}%` }, el('span'));
  bar.firstChild.style.width = `${Math.min(100, percent)}%`;
  return el('td', {}, bar, ` ${percent.toFixed(0)}%`);
}

function batchRow(b) {
  const p = b.progress ?? {};
  const total = p.total ?? b.request_counts?.total ?? 0;
  const done = total - (p.pending ?? 0);
  const failed = (p.failed ?? 0) + (p.cancelled ?? 0) + (p.expired ?? 0);
  const percent = Number(p.percent ?? 0);
  const ended = ['completed', 'failed', 'expired', 'cancelled'].includes(b.status);
  const r = row(
    b.id,
    b.status,
    progressBar(percent, ended),
    `${formatNumber(done)} / ${formatNumber(total)}`,
    formatNumber(failed),
    p.eta_seconds !== undefined && !ended ? `${p.eta_seconds} s` : '',
    formatNumber(b.usage?.total_tokens ?? 0),
    formatTime(b.created_at),
  );
  Object.assign(r.dataset, { batchId: b.id, status: b.status, percent: String(percent) });
  return r;
}

async function refresh() {
  let list;
  try {
    list = await api.get('/v1/batches?limit=20');
  } catch (e) {
    $('#batches-note').textContent = `Batches: ${e.message}`;
    return;
  }
  $('#batches-note').textContent = '';
  fillTable($('#batches'), list.data.map(batchRow));
}

let timer = null;

export const batchesView = {
  init() {
    $('#submit-form').addEventListener('submit', submit);
  },
  async show() {
    await refresh();
    timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  },
  hide() {
    clearInterval(timer);
  },
};
