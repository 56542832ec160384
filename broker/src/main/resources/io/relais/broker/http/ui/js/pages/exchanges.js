// Exchanges: list, declare and delete.
import { h, fmtInt, seg, exchangeSeg, exchangeLabel, pill, formValues } from '../dom.js';
import { Table, card, filterBox, attempt, dialog, field, notify } from '../ui.js';
import { api } from '../api.js';
import { sampler } from '../state.js';

export default {
  render({ user, vhost, vhosts }) {
    const readOnly = user.monitoring && !user.administrator;
    const table = new Table([
      { key: 'name', label: 'Name', value: (x) => x.name, render: (x) => h('span', { class: 'name-link' }, exchangeLabel(x.name)) },
      { key: 'vhost', label: 'Vhost' },
      { key: 'type', label: 'Type', render: (x) => pill(x.type, 'brand') },
      { key: 'features', label: 'Features', sort: false, render: (x) => [x.durable ? pill('durable') : pill('transient', 'warn'), x.auto_delete ? pill('auto-delete') : null] },
      { key: 'bindings', label: 'Bindings', cls: 'num', render: (x) => fmtInt(x.bindings) },
      { key: 'actions', label: '', sort: false, cls: 'actions', render: (x) => (readOnly || x.name === '' || x.name.startsWith('relais.')
        ? null
        : h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: (e) => remove(x, e.target) }, 'Delete')) },
    ], { empty: 'No exchanges.', sortKey: 'name' });

    const load = async () => {
      const list = await attempt(() => api('GET', vhost ? 'api/exchanges/' + seg(vhost) : 'api/exchanges'));
      if (list) table.set(list);
    };

    async function remove(x, button) {
      const values = await dialog({
        title: 'Delete exchange',
        body: `Delete exchange ${x.name} in ${x.vhost} and its ${x.bindings ?? ''} bindings?`,
        fields: [h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'if_unused' }), 'Only if it has no bindings')],
        confirm: 'Delete', danger: true,
      });
      if (!values) return;
      const ok = await attempt(async () => {
        await api('DELETE', `api/exchanges/${seg(x.vhost)}/${exchangeSeg(x.name)}${values.if_unused ? '?if_unused=true' : ''}`);
        return true;
      }, button);
      if (ok) { notify(`Exchange ${x.name} deleted.`); load(); }
    }

    const form = h('form', { class: 'declare' },
      h('div', { class: 'form-row' },
        field('Virtual host', h('select', { name: 'vhost' }, vhosts().map((v) => h('option', { value: v, selected: v === (vhost || '/') }, v)))),
        field('Name', h('input', { name: 'name', required: true, placeholder: 'orders.events', maxlength: 255 })),
        field('Type', h('select', { name: 'type' }, ['topic', 'direct', 'fanout'].map((t) => h('option', { value: t }, t))))),
      h('div', { class: 'form-actions' },
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'durable', checked: true }), 'Durable'),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'auto_delete' }), 'Auto-delete'),
        h('button', { class: 'btn btn-primary', type: 'submit' }, 'Declare exchange')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = formValues(form);
      const ok = await attempt(async () => {
        await api('PUT', `api/exchanges/${seg(v.vhost)}/${seg(v.name)}`, { type: v.type, durable: v.durable, auto_delete: v.auto_delete });
        return true;
      }, form.querySelector('button[type=submit]'));
      if (ok) { notify(`Exchange ${v.name} declared in ${v.vhost}.`); form.elements.name.value = ''; load(); }
    });

    const el = h('div', {},
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Exchanges'),
        h('div', { class: 'page-sub' }, vhost ? `In virtual host ${vhost}` : 'In every virtual host'))),
      card(null, [filterBox(table), h('button', { class: 'btn btn-small', type: 'button', onclick: load }, 'Refresh')], table.el),
      readOnly ? null : card('Declare an exchange', null, form));
    const unlisten = sampler.listen(load);
    return { el, title: 'Exchanges', destroy: unlisten };
  },
};
