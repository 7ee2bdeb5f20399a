// The dashboard: sign in with an API key, then one view at a time (nav buttons).
import { api, session } from './api.js';
import { auditView } from './audit.js';
import { batchesView } from './batches.js';
import { $ } from './dom.js';
import { fleetView } from './fleet.js';
import { optimizationsView } from './optimizations.js';
import { usageView } from './usage.js';

const views = { batches: batchesView, fleet: fleetView, usage: usageView, audit: auditView, optimizations: optimizationsView };
let current = null;

async function show(name) {
  if (current) views[current].hide();
  current = name;
  for (const key of Object.keys(views)) $(`#${key}-view`).hidden = key !== name;
  $('#login-view').hidden = true;
  for (const b of document.querySelectorAll('#nav button[data-view]')) b.classList.toggle('active', b.dataset.view === name);
  try {
    await views[name].show();
  } catch (e) {
    console.warn(`${name}: ${e.message}`);
  }
}

function signedOut(message = '') {
  if (current) views[current].hide();
  current = null;
  session.signOut();
  $('#nav').hidden = true;
  for (const key of Object.keys(views)) $(`#${key}-view`).hidden = true;
  $('#login-view').hidden = false;
  $('#login-error').textContent = message;
}

// Any key the server authenticates signs in; an admin or operator key without a workspace
// is refused by the workspace views (403) and still sees the fleet and audit views.
async function signIn(key) {
  session.signIn(key);
  try {
    await api.get('/v1/batches?limit=1');
  } catch (e) {
    if (e.status === 401 || e.status === undefined) {
      signedOut(e.status === 401 ? 'That key was not accepted.' : e.message);
      return;
    }
  }
  $('#nav').hidden = false;
  await show('batches');
}

for (const view of Object.values(views)) view.init();
$('#login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('#api-key');
  const key = input.value.trim();
  input.value = '';
  signIn(key);
});
$('#logout').addEventListener('click', () => signedOut());
for (const b of document.querySelectorAll('#nav button[data-view]')) b.addEventListener('click', () => show(b.dataset.view));
if (session.key()) signIn(session.key());
