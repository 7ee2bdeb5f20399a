// Optimizations (contract 6): the list, and the chosen run's leaderboard with its scores.
import { api, getForView } from './api.js';
import { barChart } from './charts.js';
import { $, el, fillTable, row, usd } from './dom.js';

const score = (n) => (n === null || n === undefined ? '' : Number(n).toFixed(3));

async function showLeaderboard(id) {
  const o = await api.get(`/v1/optimizations/${encodeURIComponent(id)}`);
  $('#leaderboard-title').textContent = `Leaderboard of ${o.id} (round ${o.round} of ${o.rounds})`;
  const board = [...(o.leaderboard ?? [])].sort((a, b) => (b.validation_score ?? -1) - (a.validation_score ?? -1));
  fillTable($('#leaderboard'), board.map((c, i) => row(i + 1, c.candidate_id, c.round, c.parent_id ?? '', score(c.train_score), score(c.validation_score), el('td', { class: 'prompt', text: c.prompt ?? '' }))));
  barChart($('#leaderboard-chart'), board.slice(0, 15).map((c) => ({ label: c.candidate_id, values: [Number(c.validation_score ?? 0)] })), ['validation score'], (n) => n.toFixed(3));
}

async function refresh() {
  const note = $('#optimizations-note');
  const list = await getForView('/v1/optimizations', note, 'optimizations');
  if (!list) return;
  note.textContent = list.data.length ? 'Choose a run to see its leaderboard.' : 'No optimization runs yet.';
  fillTable($('#optimizations'), list.data.map((o) => {
    const link = el('button', { class: 'secondary', text: o.id });
    link.addEventListener('click', () => showLeaderboard(o.id).catch((e) => (note.textContent = e.message)));
    return row(el('td', {}, link), o.status, `${o.round ?? ''} / ${o.rounds ?? ''}`, score(o.best?.validation_score), usd(o.spend?.cost_nano_usd));
  }));
  if (list.data.length) await showLeaderboard(list.data[0].id);
}

export const optimizationsView = { init() {}, show: refresh, hide() {} };
