// Charts: uPlot (served from its webjar, loaded as the global uPlot by index.html) for the live
// rate and depth charts, and tiny inline SVG sparklines for table rows.
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

export const COLORS = {
  publish: '#0f766e',
  deliver: '#2563eb',
  ack: '#9333ea',
  ready: '#d97706',
  unacked: '#dc2626',
};

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * A live line chart over time. series: [{key, label, color}]; unit: text after each value in the
 * legend ('/s' or ''). Returns {el, set(data), destroy()}; data is [xs (epoch s), ...ys].
 */
export function lineChart({ series, height = 220, unit = '', title }) {
  const el = h('div', { class: 'chart', 'data-title': title || '' });
  const empty = h('div', { class: 'chart-empty' }, 'Collecting samples… the chart fills in every 5 seconds.');
  el.appendChild(empty);
  let plot = null;
  let last = null;
  const fmt = (u, v) => (v === null || v === undefined ? '–' : (Math.abs(v) >= 1000 ? compact.format(v) : +v.toFixed(unit === '/s' ? 1 : 0)) + unit);
  // off the chart, the legend shows the latest sample instead of dashes
  const latest = (u) => {
    if (u.data[0].length > 0 && (u.cursor.idx === null || u.cursor.idx === undefined || u.cursor.left < 0)) {
      u.setLegend({ idx: u.data[0].length - 1 });
    }
  };
  const opts = (width) => ({
    width,
    height,
    hooks: { setCursor: [latest], setData: [latest], ready: [latest] },
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(unit === '/s' ? 1 : 5, (max || 0) * 1.15)] } },
    axes: [
      { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' } },
      { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' }, size: 56,
        values: (u, vals) => vals.map((v) => (Math.abs(v) >= 1000 ? compact.format(v) : String(+v.toFixed(2)))) },
    ],
    series: [
      { value: (u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleTimeString()) },
      // only the first series is filled: overlapping fills would blend into a muddy colour
      ...series.map((s, i) => ({ label: s.label, stroke: s.color, width: 2, fill: i === 0 ? s.color + '1a' : undefined, points: { show: false }, value: fmt })),
    ],
  });
  const width = () => Math.max(240, el.clientWidth || 600);
  const resize = new ResizeObserver(() => {
    if (plot && Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height });
  });
  resize.observe(el);
  return {
    el,
    set(data) {
      last = data;
      if (typeof window.uPlot !== 'function') {
        empty.textContent = 'Charts are unavailable: uPlot did not load from webjars/uplot.';
        return;
      }
      if (data[0].length < 2) return; // a line needs two samples
      if (!plot) {
        empty.remove();
        plot = new window.uPlot(opts(width()), data, el);
      } else {
        plot.setData(data);
      }
    },
    destroy() {
      resize.disconnect();
      if (plot) plot.destroy();
      plot = null;
      last = null;
    },
    get data() {
      return last;
    },
  };
}

/** An inline SVG sparkline of values (nulls skipped), scaled from 0 to its maximum. */
export function sparkline(values, { width = 120, height = 24, color = COLORS.ready } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const vs = (values || []).filter((v) => v !== null && v !== undefined);
  if (vs.length < 2) {
    svg.setAttribute('aria-label', 'not enough samples yet');
    return svg;
  }
  const max = Math.max(1, ...vs);
  const step = width / (vs.length - 1);
  const y = (v) => (height - 2 - (v / max) * (height - 4)).toFixed(1);
  const pts = vs.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(' ');
  const area = document.createElementNS(SVG, 'polygon');
  area.setAttribute('points', `0,${height} ${pts} ${width},${height}`);
  area.setAttribute('fill', color + '22');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', pts);
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', color);
  line.setAttribute('stroke-width', '1.5');
  svg.append(area, line);
  svg.setAttribute('aria-label', `depth from ${vs[0]} to ${vs[vs.length - 1]}`);
  return svg;
}
