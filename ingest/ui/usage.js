// Usage: tokens and cost per day and per model from GET /v1/usage (contract 4). A server
// without that endpoint gets tokens per day added up from its batches instead (no cost, no
// split by model), and the note says so. #usage-view's data-source tells which it is.
import { api, query } from './api.js';
import { barChart } from './charts.js';
import { $, usd } from './dom.js';

const DAY_MS = 86400000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);

function tokenBars(data) {
  return data.map((d) => ({ label: d.group, values: [d.input_tokens ?? 0, d.output_tokens ?? 0] }));
}

function costBars(data) {
  return data.map((d) => ({ label: d.group, values: [Number(d.cost_nano_usd ?? 0) / 1e9] }));
}

async function fromUsageApi(from, to) {
  const [byDay, byModel] = await Promise.all([
    api.get(`/v1/usage${query({ group_by: 'day', from, to })}`),
    api.get(`/v1/usage${query({ group_by: 'model', from, to })}`),
  ]);
  return { byDay: byDay.data, byModel: byModel.data };
}

// The batches' own usage, by the day each batch was created.
async function fromBatches(from, to) {
  const list = await api.get('/v1/batches?limit=100');
  const days = new Map();
  for (const b of list.data) {
    const day = isoDay(b.created_at * 1000);
    if (day < from || day > to) continue;
    const d = days.get(day) ?? { group: day, input_tokens: 0, output_tokens: 0 };
    d.input_tokens += b.usage?.input_tokens ?? 0;
    d.output_tokens += b.usage?.output_tokens ?? 0;
    days.set(day, d);
  }
  return { byDay: [...days.values()].sort((a, b) => a.group.localeCompare(b.group)), byModel: null };
}

async function refresh() {
  const from = $('#usage-from').value;
  const to = $('#usage-to').value;
  const view = $('#usage-view');
  const note = $('#usage-note');
  let usage;
  try {
    usage = await fromUsageApi(from, to);
    view.dataset.source = 'usage-api';
    note.textContent = `${from} to ${to} (UTC days)`;
  } catch (e) {
    if (e.status !== 404) throw e;
    usage = await fromBatches(from, to);
    view.dataset.source = 'batches';
    note.textContent = 'This server has no usage endpoint: tokens are added up from the 100 newest batches; cost and models need GET /v1/usage.';
  }
  const tokenSeries = ['input tokens', 'output tokens'];
  barChart($('#usage-tokens-day'), tokenBars(usage.byDay), tokenSeries);
  barChart($('#usage-cost-day'), usage.byModel ? costBars(usage.byDay) : [], ['USD'], (n) => n.toFixed(4));
  barChart($('#usage-tokens-model'), usage.byModel ? tokenBars(usage.byModel) : [], tokenSeries);
  barChart($('#usage-cost-model'), usage.byModel ? costBars(usage.byModel) : [], ['USD'], (n) => usd(n * 1e9));
}

export const usageView = {
  init() {
    const now = Date.now();
    $('#usage-from').value = isoDay(now - 29 * DAY_MS);
    $('#usage-to').value = isoDay(now);
    $('#usage-form').addEventListener('submit', (e) => {
      e.preventDefault();
      refresh().catch((err) => ($('#usage-note').textContent = err.message));
    });
  },
  show: refresh,
  hide() {},
};
