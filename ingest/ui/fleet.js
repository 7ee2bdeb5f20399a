// Fleet: queue depths, in-flight calls per model, workers and projection lag from
// GET /v1/admin/status (an operator or admin key), refreshed every two seconds.
import { getForView } from './api.js';
import { barChart } from './charts.js';
import { $, fillTable, formatTime, row } from './dom.js';

const REFRESH_MS = 2000;

function inFlightPerModel(workers) {
  const perModel = new Map();
  for (const w of workers) {
    const models = w.models?.length ? w.models : ['(any)'];
    // A worker's calls are not split by model in the status; each model it serves gets its
    // share so the bars add up to the fleet's total.
    for (const m of models) perModel.set(m, (perModel.get(m) ?? 0) + (w.in_flight ?? 0) / models.length);
  }
  return [...perModel].map(([label, n]) => ({ label, values: [Math.round(n), 0] }));
}

async function refresh() {
  const note = $('#fleet-note');
  const status = await getForView('/v1/admin/status', note, 'fleet status', ' (needs an operator or admin key)');
  if (!status) return;
  note.textContent = `${status.workers.length} workers, ${status.queues.length} queues`;
  fillTable($('#queues'), status.queues.map((q) => row(q.model, q.band, q.length, q.pending)));
  fillTable($('#workers'), status.workers.map((w) => row(w.id, w.host, w.pid, `${w.in_flight} / ${w.max_in_flight}`, (w.models ?? []).join(', '), formatTime(w.last_seen_ms / 1000))));
  fillTable($('#projections'), (status.projections ?? []).map((p) => row(p.name, p.lag_events, p.lag_seconds)));
  const queued = new Map(status.queues.map((q) => [q.model, 0]));
  for (const q of status.queues) queued.set(q.model, queued.get(q.model) + (q.length ?? 0));
  const bars = inFlightPerModel(status.workers);
  for (const [model, n] of queued) {
    const bar = bars.find((b) => b.label === model);
    if (bar) bar.values[1] = n;
    else bars.push({ label: model, values: [0, n] });
  }
  barChart($('#inflight-chart'), bars, ['in flight', 'queued']);
}

let timer = null;

export const fleetView = {
  init() {},
  async show() {
    await refresh();
    timer = setInterval(() => refresh().catch(() => {}), REFRESH_MS);
  },
  hide() {
    clearInterval(timer);
  },
};
