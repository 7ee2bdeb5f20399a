// Bar charts in plain SVG (no library, no CDN). Each chart records what it shows in data
// attributes (data-series, data-total) so a test or a user can read the numbers back.
const SVG = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

// bars: [{label, values: [n, ...]}] stacked in the order of `series` (names for the legend).
export function barChart(container, bars, series, format = (n) => n.toLocaleString('en-US')) {
  container.replaceChildren();
  const total = bars.reduce((sum, b) => sum + b.values.reduce((a, v) => a + v, 0), 0);
  container.dataset.series = series.join(',');
  container.dataset.total = String(total);
  container.dataset.bars = String(bars.length);
  if (bars.length === 0) {
    container.append(Object.assign(document.createElement('p'), { className: 'note', textContent: 'No data for this period.' }));
    return;
  }
  const legend = document.createElement('div');
  legend.className = 'legend';
  series.forEach((name, i) => {
    const item = document.createElement('span');
    const swatch = document.createElement('i');
    swatch.className = `swatch-${i}`;
    item.append(swatch, name);
    legend.append(item);
  });
  const labelWidth = 150, barArea = 520, rowHeight = 22, width = labelWidth + barArea + 110;
  const height = bars.length * rowHeight + 4;
  const max = Math.max(1, ...bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
  const svg = svgEl('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  bars.forEach((b, i) => {
    const y = i * rowHeight + 2;
    svg.append(svgEl('text', { x: 0, y: y + 14 }, b.label));
    let x = labelWidth;
    b.values.forEach((v, s) => {
      const w = (v / max) * barArea;
      if (w > 0) svg.append(svgEl('rect', { x, y, width: w, height: rowHeight - 6, class: `swatch-${s}`, 'data-value': v }));
      x += w;
    });
    svg.append(svgEl('text', { x: x + 6, y: y + 14 }, format(b.values.reduce((a, v) => a + v, 0))));
  });
  container.append(legend, svg);
}
