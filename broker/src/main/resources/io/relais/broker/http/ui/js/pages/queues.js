// Queues: every visible queue with its depth, rates and a sparkline of its depth over the last
// minutes (sampled by the browser); declare a queue.
import { h, fmtInt, fmtRate, seg, pill, formValues } from '../dom.js';
import { Table, card, filterBox, attempt, field, notify } from '../ui.js';
import { api } from '../api.js';
import { sampler } from '../state.js';
import { sparkline } from '../charts.js';

/** The queue page's address. */
export function queueHref(q) {
  return `#/queues/${seg(q.vhost)}/${seg(q.name)}`;
}

/** The feature pills of a queue. */
export function queueFeatures(q) {
  return [q.durable ? pill('durable') : pill('transient', 'warn'), q.exclusive ? pill('exclusive') : null,
    q.auto_delete ? pill('auto-delete') : null];
}

export default {
  render({ user, vhost, vhosts }) {
    const readOnly = user.monitoring && !user.administrator;
    const table = new Table([
      { key: 'name', label: 'Name', render: (q) => h('a', { class: 'name-link', href: queueHref(q) }, q.name) },
      { key: 'vhost', label: 'Vhost' },
      { key: 'features', label: 'Features', sort: false, render: queueFeatures },
      { key: 'messages', label: 'Ready', cls: 'num', render: (q) => fmtInt(q.messages) },
      { key: 'messages_unacked', label: 'Unacked', cls: 'num', render: (q) => fmtInt(q.messages_unacked) },
      { key: 'consumers', label: 'Consumers', cls: 'num', render: (q) => fmtInt(q.consumers) },
      { key: 'publish_rate', label: 'In', cls: 'num', render: (q) => fmtRate(q.publish_rate) },
      { key: 'deliver_rate', label: 'Out', cls: 'num', render: (q) => fmtRate(q.deliver_rate) },
      { key: 'depth', label: 'Depth (10 min)', sort: false, render: (q) => sparkline(sampler.queueHistory(q.vhost, q.name)?.v.ready) },
    ], { empty: 'No queues yet. Declare one below, or from a client.', sortKey: 'name', rowKey: (q) => q.vhost + '/' + q.name });

    const count = h('span', { class: 'muted' });
    const update = (s) => {
      const list = vhost ? s.queueList.filter((q) => q.vhost === vhost) : s.queueList;
      count.textContent = `${list.length} queue${list.length === 1 ? '' : 's'}`;
      table.set(list);
    };

    const form = h('form', {},
      h('div', { class: 'form-row' },
        field('Virtual host', h('select', { name: 'vhost' }, vhosts().map((v) => h('option', { value: v, selected: v === (vhost || '/') }, v)))),
        field('Name', h('input', { name: 'name', required: true, placeholder: 'orders', maxlength: 255 }))),
      h('div', { class: 'form-actions' },
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'durable', checked: true }), 'Durable'),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'auto_delete' }), 'Auto-delete'),
        h('label', { class: 'check', title: 'The default exchange has no implicit bindings: without one, nothing published reaches the queue' },
          h('input', { type: 'checkbox', name: 'bind_default', checked: true }), 'Bind from the default exchange with its name'),
        h('button', { class: 'btn btn-primary', type: 'submit' }, 'Declare queue')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = formValues(form);
      const ok = await attempt(async () => {
        await api('PUT', `api/queues/${seg(v.vhost)}/${seg(v.name)}`, { durable: v.durable, auto_delete: v.auto_delete, arguments: {} });
        if (v.bind_default) {
          await api('POST', `api/bindings/${seg(v.vhost)}/e/amq.default/q/${seg(v.name)}`, { routing_key: v.name });
        }
        return true;
      }, form.querySelector('button[type=submit]'));
      if (ok) { notify(`Queue ${v.name} declared in ${v.vhost}.`); form.elements.name.value = ''; sampler.sample(); }
    });

    const el = h('div', {},
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Queues'),
        h('div', { class: 'page-sub' }, vhost ? `In virtual host ${vhost}` : 'In every virtual host'))),
      card(null, [count, filterBox(table), h('button', { class: 'btn btn-small', type: 'button', onclick: () => sampler.sample() }, 'Refresh')], table.el),
      readOnly ? null : card('Declare a queue', null, form));
    const unlisten = sampler.listen(update);
    return { el, title: 'Queues', destroy: unlisten };
  },
};
