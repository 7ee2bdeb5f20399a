// Small DOM helpers. Text always goes in through textContent: nothing from the API is ever
// parsed as HTML.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

export function fillTable(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows);
}

export function row(...cells) {
  return el('tr', {}, ...cells.map((c) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', {}, c ?? ''))));
}

export const $ = (selector) => document.querySelector(selector);

export function formatTime(unixSeconds) {
  if (unixSeconds === null || unixSeconds === undefined) return '';
  const d = typeof unixSeconds === 'number' ? new Date(unixSeconds * 1000) : new Date(unixSeconds);
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

export const formatNumber = (n) => Number(n ?? 0).toLocaleString('en-US');
export const usd = (nano) => (Number(nano ?? 0) / 1e9).toFixed(4);
