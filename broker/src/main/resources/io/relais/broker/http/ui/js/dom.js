// Small DOM and formatting helpers. Every text from the broker goes through textContent (never
// innerHTML), so a queue or user name can never inject markup.

/**
 * Creates an element: h('button', {class: 'btn', onclick: f}, 'Purge').
 * Attributes whose value is null, undefined or false are left out; 'on*' keys add listeners;
 * children may be strings, numbers, nodes, arrays or null.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** 1234567 -> "1,234,567"; missing -> "–". */
export function fmtInt(n) {
  return n === null || n === undefined || Number.isNaN(n) ? '–' : integer.format(n);
}

/** A rate per second: 12.34 -> "12.3/s". */
export function fmtRate(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return (Math.abs(n) >= 100 ? integer.format(n) : decimal.format(n)) + '/s';
}

/** Bytes in binary units: 1536 -> "1.5 KiB". */
export function fmtBytes(n) {
  if (n === null || n === undefined || n < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? integer.format(n) : decimal.format(n)) + ' ' + units[i];
}

/** A duration in milliseconds: "3d 4h", "2h 5m", "42s". */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return '–';
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hr = Math.floor(s / 3600); s -= hr * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${d}d ${hr}h`;
  if (hr > 0) return `${hr}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/** An instant (epoch ms or ISO text) as local date and time. */
export function fmtTime(t) {
  if (t === null || t === undefined || t === '') return '–';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleString();
}

/** A vhost or other name for a URL path segment ("/" -> "%2F"). */
export function seg(name) {
  return encodeURIComponent(name);
}

/** The path segment of an exchange: the default exchange "" is "amq.default". */
export function exchangeSeg(name) {
  return name === '' ? 'amq.default' : encodeURIComponent(name);
}

/** How an exchange name is shown: the default exchange "" as "(default)". */
export function exchangeLabel(name) {
  return name === '' ? '(default)' : name;
}

/** A small coloured label. */
export function pill(text, kind) {
  return h('span', { class: 'pill' + (kind ? ' pill-' + kind : '') }, text);
}

/** The values of a form's named fields as an object (checkboxes as booleans). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') {
      if (el.dataset.group) {
        (out[el.dataset.group] ||= []);
        if (el.checked) out[el.dataset.group].push(el.name);
      } else {
        out[el.name] = el.checked;
      }
    } else {
      out[el.name] = el.value;
    }
  }
  return out;
}

/** How long ago an instant was: "5 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function fmtAgo(t) {
  const ms = Date.now() - new Date(t).getTime();
  if (t === null || t === undefined || Number.isNaN(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
