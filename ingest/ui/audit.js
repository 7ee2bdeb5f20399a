// Audit search for admins: GET /v1/admin/audit (contract 5) with the form's filters, newest
// first, "More" pages on with `after`.
import { getForView, query } from './api.js';
import { $, fillTable, formatTime, row } from './dom.js';

const PAGE = 50;
let after = null;
let rows = [];

function filters() {
  // Unix seconds: the first and the last second of the chosen UTC days.
  const day = (id, end) => ($(id).value ? Math.floor(Date.parse(`${$(id).value}T${end}Z`) / 1000) : '');
  return {
    action: $('#audit-action').value.trim(),
    actor_key_id: $('#audit-actor').value.trim(),
    target_type: $('#audit-target-type').value.trim(),
    target_id: $('#audit-target-id').value.trim(),
    outcome: $('#audit-outcome').value,
    from: day('#audit-from', '00:00:00'),
    to: day('#audit-to', '23:59:59'),
    limit: PAGE,
  };
}

async function search(more) {
  const note = $('#audit-note');
  if (!more) {
    after = null;
    rows = [];
  }
  const page = await getForView(`/v1/admin/audit${query({ ...filters(), after })}`, note, 'audit', ' (needs an admin key)');
  if (!page) return;
  for (const a of page.data) {
    rows.push(row(formatTime(a.time), a.action, a.outcome, a.actor_key_id, `${a.target_type ?? ''} ${a.target_id ?? ''}`, a.workspace_id, a.request_id));
  }
  after = page.data.length ? page.data[page.data.length - 1].id : after;
  fillTable($('#audit'), rows);
  note.textContent = `${rows.length} entries`;
  $('#audit-more').hidden = !page.has_more;
}

export const auditView = {
  init() {
    $('#audit-form').addEventListener('submit', (e) => {
      e.preventDefault();
      search(false);
    });
    $('#audit-more').addEventListener('click', () => search(true));
  },
  show: () => search(false),
  hide() {},
};
