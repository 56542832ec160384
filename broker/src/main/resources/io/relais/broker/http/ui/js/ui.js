// Shared pieces of the pages: the error banner, notices, the modal dialog and sortable tables.
import { h, replace } from './dom.js';
import { ApiError } from './api.js';

/** Shows an error in the red banner at the top of the page (an ApiError as "CODE: message"). */
export function showError(e) {
  const text = e instanceof ApiError ? e.describe() : (e && e.message) || String(e);
  const box = document.getElementById('banners');
  const banner = h('div', { class: 'banner banner-error', role: 'alert' },
    h('span', { class: 'banner-text' }, text),
    h('button', { class: 'banner-close', type: 'button', 'aria-label': 'Dismiss', onclick: () => banner.remove() }, '×'));
  // the same text twice (a failing poll) is shown once
  for (const old of box.querySelectorAll('.banner-error')) {
    if (old.querySelector('.banner-text').textContent === text) old.remove();
  }
  box.prepend(banner);
  while (box.querySelectorAll('.banner-error').length > 3) box.querySelector('.banner-error:last-of-type').remove();
}

/** A green (or 'warn' yellow) notice that fades after a few seconds. */
export function notify(text, kind = 'ok') {
  const box = document.getElementById('banners');
  const n = h('div', { class: 'banner banner-' + kind, role: 'status' }, h('span', { class: 'banner-text' }, text));
  box.appendChild(n);
  setTimeout(() => n.remove(), 5000);
}

/** Removes every banner (when the page changes). */
export function clearBanners() {
  replace(document.getElementById('banners'));
}

/**
 * Runs an API action, showing its error in the banner; resolves to its result or undefined on error.
 * The button (if any) is disabled while the action runs.
 */
export async function attempt(action, button) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/**
 * A modal dialog: resolves to the form's values when confirmed, null when cancelled.
 * fields: nodes placed in the form (inputs with names); danger: a red confirm button.
 */
export function dialog({ title, body, fields = [], confirm = 'OK', danger = false }) {
  const dlg = document.getElementById('dialog');
  return new Promise((resolve) => {
    const form = h('form', { method: 'dialog', class: 'dialog-form' },
      h('h2', {}, title),
      body ? h('p', { class: 'dialog-body' }, body) : null,
      fields,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', value: 'cancel', onclick: () => dlg.close('cancel') }, 'Cancel'),
        h('button', { type: 'submit', class: danger ? 'btn btn-danger' : 'btn btn-primary', value: 'ok' }, confirm)));
    replace(dlg, form);
    dlg.onclose = () => {
      if (dlg.returnValue === 'ok') {
        const values = {};
        for (const el of form.elements) if (el.name) values[el.name] = el.type === 'checkbox' ? el.checked : el.value;
        resolve(values);
      } else {
        resolve(null);
      }
    };
    dlg.returnValue = '';
    dlg.showModal();
    const first = form.querySelector('input, textarea, select');
    if (first) first.focus();
  });
}

/**
 * A sortable table whose rows can be replaced on every poll without losing the sort order.
 * columns: [{key, label, value(row) -> sortable, render(row) -> node|text, cls, sort: false}].
 */
export class Table {
  constructor(columns, { empty = 'Nothing here yet.', rowKey = null, sortKey = null, desc = false } = {}) {
    this.columns = columns;
    this.empty = empty;
    this.rowKey = rowKey;
    this.sortKey = sortKey;
    this.desc = desc;
    this.filter = '';
    this.rows = [];
    this.body = h('tbody');
    this.head = h('thead', {}, h('tr', {}, columns.map((c) => this.header(c))));
    this.el = h('div', { class: 'table-wrap' }, h('table', { class: 'data' }, this.head, this.body));
  }

  header(c) {
    if (c.sort === false) return h('th', { class: c.cls }, c.label);
    const th = h('th', { class: ((c.cls || '') + ' sortable').trim(), onclick: () => {
      if (this.sortKey === c.key) this.desc = !this.desc;
      else { this.sortKey = c.key; this.desc = false; }
      this.render();
    } }, c.label, h('span', { class: 'sort-mark' }));
    th.dataset.key = c.key;
    return th;
  }

  /** Shows rows whose text contains filter (case-insensitive). */
  setFilter(text) {
    this.filter = text.toLowerCase();
    this.render();
  }

  set(rows) {
    this.rows = rows;
    this.render();
  }

  render() {
    const col = this.columns.find((c) => c.key === this.sortKey);
    let rows = this.rows;
    if (this.filter) {
      rows = rows.filter((r) => this.columns.some((c) => String(value(c, r) ?? '').toLowerCase().includes(this.filter)));
    }
    if (col) {
      rows = [...rows].sort((a, b) => {
        const x = value(col, a); const y = value(col, b);
        const r = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
        return this.desc ? -r : r;
      });
    }
    for (const th of this.head.querySelectorAll('th.sortable')) {
      th.querySelector('.sort-mark').textContent = th.dataset.key === this.sortKey ? (this.desc ? ' ▼' : ' ▲') : '';
    }
    if (rows.length === 0) {
      replace(this.body, h('tr', {}, h('td', { class: 'empty', colspan: this.columns.length },
        this.rows.length === 0 ? this.empty : 'No row matches the filter.')));
      return;
    }
    replace(this.body, rows.map((r) => h('tr', { dataset: this.rowKey ? { key: this.rowKey(r) } : {} },
      this.columns.map((c) => h('td', { class: c.cls }, c.render ? c.render(r) : value(c, r))))));
  }
}

function value(c, r) {
  return c.value ? c.value(r) : r[c.key];
}

/** A filter box wired to a table. */
export function filterBox(table, placeholder = 'Filter…') {
  return h('input', { type: 'search', class: 'filter', placeholder, 'aria-label': placeholder,
    oninput: (e) => table.setFilter(e.target.value) });
}

/** A page section: a card with a title, optional tools on the right, and content. */
export function card(title, tools, ...content) {
  return h('section', { class: 'card' },
    title || tools ? h('div', { class: 'card-head' }, h('h2', {}, title), h('div', { class: 'card-tools' }, tools)) : null,
    content);
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input,
    hint ? h('span', { class: 'field-hint' }, hint) : null);
}

/** A big number with a label, for the top of a page. */
export function stat(label, valueNode, kind) {
  return h('div', { class: 'stat' + (kind ? ' stat-' + kind : '') },
    h('div', { class: 'stat-value' }, valueNode), h('div', { class: 'stat-label' }, label));
}
