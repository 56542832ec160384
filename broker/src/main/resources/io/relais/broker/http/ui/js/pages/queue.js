// One queue: details, depth chart, publish a message, peek at messages, bindings, purge, delete.
import { h, replace, fmtInt, fmtRate, fmtBytes, seg, exchangeSeg, exchangeLabel, formValues } from '../dom.js';
import { Table, card, stat, attempt, dialog, field, notify, showError } from '../ui.js';
import { api, ApiError } from '../api.js';
import { sampler } from '../state.js';
import { lineChart, COLORS } from '../charts.js';
import { queueFeatures } from './queues.js';

const DEPTH = [
  { key: 'ready', label: 'Ready', color: COLORS.ready },
  { key: 'unacked', label: 'Unacked', color: COLORS.unacked },
];

export default {
  render({ params, user }) {
    const { vhost, name } = params;
    const path = `api/queues/${seg(vhost)}/${seg(name)}`;
    const readOnly = user.monitoring && !user.administrator;
    const stats = h('div', { class: 'stats' });
    const props = h('dl', { class: 'props' });
    const pills = h('span');
    const chart = lineChart({ series: DEPTH, title: 'Depth' });
    let gone = false;

    const purgeBtn = h('button', { class: 'btn btn-danger', type: 'button', id: 'purge', onclick: () => purge() }, 'Purge');
    const deleteBtn = h('button', { class: 'btn btn-danger', type: 'button', id: 'delete', onclick: () => remove() }, 'Delete');

    const load = async () => {
      if (gone) return;
      let q;
      try {
        q = await api('GET', path);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          gone = true;
          replace(stats, h('div', { class: 'alarm alarm-on' }, `Queue ${name} does not exist in ${vhost} (any more).`));
        } else {
          showError(e);
        }
        return;
      }
      replace(pills, queueFeatures(q));
      replace(stats,
        stat('Ready', h('span', { id: 'queue-ready' }, fmtInt(q.messages))),
        stat('Unacked', fmtInt(q.messages_unacked)),
        stat('Consumers', fmtInt(q.consumers)),
        stat('In', fmtRate(q.publish_rate)),
        stat('Out', fmtRate(q.deliver_rate)));
      const args = Object.entries(q.arguments || {});
      replace(props,
        h('dt', {}, 'Virtual host'), h('dd', {}, q.vhost),
        h('dt', {}, 'Durable'), h('dd', {}, q.durable ? 'yes' : 'no'),
        h('dt', {}, 'Exclusive'), h('dd', {}, q.exclusive ? 'yes' : 'no'),
        h('dt', {}, 'Auto-delete'), h('dd', {}, q.auto_delete ? 'yes' : 'no'),
        h('dt', {}, 'Arguments'), h('dd', {}, args.length
          ? args.map(([k, v]) => h('div', { class: 'mono' }, `${k} = ${typeof v === 'object' ? JSON.stringify(v) : v}`))
          : h('span', { class: 'muted' }, 'none')));
      const hist = sampler.queueHistory(vhost, name);
      if (hist) chart.set(hist.data(DEPTH.map((d) => d.key)));
    };

    async function purge() {
      const ok = await dialog({ title: 'Purge queue', body: `Remove every ready message from ${name} in ${vhost}? Unacked messages stay.`, confirm: 'Purge', danger: true });
      if (!ok) return;
      const r = await attempt(() => api('DELETE', path + '/contents'), purgeBtn);
      if (r !== undefined) {
        notify(`Purged ${fmtInt(r?.purged)} message${r?.purged === 1 ? '' : 's'} from ${name}.`);
        await sampler.sample();
      }
    }

    async function remove() {
      const v = await dialog({
        title: 'Delete queue', body: `Delete queue ${name} in ${vhost} and every message in it?`,
        fields: [h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'if_unused' }), 'Only if it has no consumers'),
          h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'if_empty' }), 'Only if it is empty')],
        confirm: 'Delete', danger: true,
      });
      if (!v) return;
      const q = [v.if_unused ? 'if_unused=true' : null, v.if_empty ? 'if_empty=true' : null].filter(Boolean).join('&');
      const ok = await attempt(async () => { await api('DELETE', path + (q ? '?' + q : '')); return true; }, deleteBtn);
      if (ok) {
        await sampler.sample();
        location.hash = '#/queues';
        notify(`Queue ${name} deleted.`);
      }
    }

    // publish
    const exchangeSelect = h('select', { name: 'exchange' }, h('option', { value: '' }, exchangeLabel('')));
    const publishForm = h('form', { id: 'publish-form' },
      h('div', { class: 'form-row' },
        field('Exchange', exchangeSelect),
        field('Routing key', h('input', { name: 'routing_key', value: name }),
          'It reaches this queue only through one of its bindings.')),
      field('Payload', h('textarea', { name: 'payload', rows: 5, placeholder: '{"order": 42}' })),
      h('div', { class: 'form-row' },
        field('Payload encoding', h('select', { name: 'payload_encoding' }, h('option', { value: 'string' }, 'string (UTF-8)'), h('option', { value: 'base64' }, 'base64'))),
        field('Content type', h('input', { name: 'content_type', placeholder: 'application/json' }))),
      field('Headers', h('textarea', { name: 'headers', rows: 2, placeholder: '{"source": "ui"}' }), 'Optional, a JSON object.'),
      h('div', { class: 'form-actions' },
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'persistent', checked: true }), 'Persistent'),
        h('button', { class: 'btn btn-primary', type: 'submit' }, 'Publish message')));
    publishForm.addEventListener('input', () => { publishForm.dataset.touched = 'yes'; });
    publishForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = formValues(publishForm);
      const properties = { persistent: v.persistent };
      if (v.content_type) properties.content_type = v.content_type;
      if (v.headers.trim()) {
        try {
          const hd = JSON.parse(v.headers);
          if (typeof hd !== 'object' || hd === null || Array.isArray(hd)) throw new Error('not an object');
          properties.headers = hd;
        } catch (err) {
          showError(new Error(`Headers must be a JSON object like {"source": "ui"} (${err.message}).`));
          return;
        }
      }
      const r = await attempt(() => api('POST', `api/exchanges/${seg(vhost)}/${exchangeSeg(v.exchange)}/publish`,
        { routing_key: v.routing_key, payload: v.payload, payload_encoding: v.payload_encoding, properties }),
      publishForm.querySelector('button[type=submit]'));
      if (r === undefined) return;
      if (r && r.routed === false) notify('Published, but no queue was bound for that routing key: the message was dropped.', 'warn');
      else notify(`Message published to ${exchangeLabel(v.exchange)}.`);
      sampler.sample();
    });

    // peek
    const messages = h('div', { id: 'messages' });
    const peekForm = h('form', { id: 'peek-form' },
      h('div', { class: 'form-row' },
        field('Messages', h('input', { name: 'count', type: 'number', min: 1, max: 100, value: 5 })),
        field('Encoding', h('select', { name: 'encoding' }, h('option', { value: 'auto' }, 'auto (text when UTF-8)'), h('option', { value: 'base64' }, 'base64')))),
      h('div', { class: 'form-actions' }, h('button', { class: 'btn', type: 'submit' }, 'Peek messages'),
        h('span', { class: 'muted' }, 'Messages stay in the queue and are not marked redelivered.')));
    peekForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = formValues(peekForm);
      const list = await attempt(() => api('POST', path + '/get', { count: Number(v.count), encoding: v.encoding }),
        peekForm.querySelector('button[type=submit]'));
      if (!list) return;
      replace(messages, list.length === 0 ? h('p', { class: 'muted' }, 'The queue has no ready message.')
        : list.map((m, i) => message(m, i + 1)));
    });

    // bindings
    const bindings = new Table([
      { key: 'source', label: 'From exchange', render: (b) => exchangeLabel(b.source) },
      { key: 'routing_key', label: 'Routing key', render: (b) => h('span', { class: 'mono' }, b.routing_key) },
      { key: 'actions', label: '', sort: false, cls: 'actions', render: (b) => (readOnly
        ? null : h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: (e) => unbind(b, e.target) }, 'Unbind')) },
    ], { empty: 'No bindings.', sortKey: 'source' });
    const loadBindings = async () => {
      const list = await attempt(() => api('GET', `api/bindings/${seg(vhost)}`));
      if (!list) return;
      const mine = list.filter((b) => b.destination === name);
      bindings.set(mine);
      // the publish form starts on a route that reaches this queue: its first binding
      if (mine.length && !publishForm.dataset.touched) {
        exchangeSelect.value = mine[0].source;
        publishForm.elements.routing_key.value = mine[0].routing_key;
      }
    };
    const loadExchanges = async () => {
      const list = await attempt(() => api('GET', `api/exchanges/${seg(vhost)}`));
      if (!list) return;
      const names = list.map((x) => x.name).filter((n) => n !== '').sort();
      for (const sel of [exchangeSelect, bindExchange]) {
        const keep = sel.value;
        replace(sel, h('option', { value: '' }, exchangeLabel('')), names.map((n) => h('option', { value: n }, n)));
        sel.value = keep && [...sel.options].some((o) => o.value === keep) ? keep : sel.options[0]?.value ?? '';
      }
    };
    async function unbind(b, button) {
      const ok = await attempt(async () => {
        await api('DELETE', `api/bindings/${seg(vhost)}/e/${exchangeSeg(b.source)}/q/${seg(name)}?routing_key=${encodeURIComponent(b.routing_key)}`);
        return true;
      }, button);
      if (ok) { notify(`Unbound from ${b.source}.`); loadBindings(); }
    }
    const bindExchange = h('select', { name: 'exchange' }, h('option', { value: '' }, exchangeLabel('')));
    const bindForm = h('form', {},
      h('div', { class: 'form-row' }, field('Exchange', bindExchange), field('Routing key', h('input', { name: 'routing_key', placeholder: 'orders.*' }))),
      h('button', { class: 'btn', type: 'submit' }, 'Bind'));
    bindForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = formValues(bindForm);
      const ok = await attempt(async () => {
        await api('POST', `api/bindings/${seg(vhost)}/e/${exchangeSeg(v.exchange)}/q/${seg(name)}`, { routing_key: v.routing_key });
        return true;
      }, bindForm.querySelector('button'));
      if (ok) { notify(`Bound to ${v.exchange} with ${v.routing_key || '(empty key)'}.`); loadBindings(); }
    });

    const el = h('div', {},
      h('div', { class: 'page-head' },
        h('div', {}, h('div', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ` · vhost ${vhost}`),
          h('h1', {}, name, ' ', pills)),
        readOnly ? null : h('div', { class: 'page-actions' }, purgeBtn, deleteBtn)),
      stats,
      h('div', { class: 'grid-2' },
        card('Depth', h('span', { class: 'muted' }, 'sampled every 5 s while this UI is open'), chart.el),
        card('Details', null, props)),
      h('div', { class: 'grid-2', style: 'margin-top:16px' },
        readOnly ? null : card('Publish a message', null, publishForm),
        card('Get messages', null, peekForm, messages)),
      h('div', { style: 'margin-top:16px' },
        card('Bindings', null, bindings.el, readOnly ? null : h('div', { style: 'margin-top:12px' }, bindForm))));

    const unlisten = sampler.listen(load);
    loadExchanges().then(loadBindings); // the exchange list first: the publish form picks a binding's exchange
    return { el, title: name, destroy() { unlisten(); chart.destroy(); } };
  },
};

function message(m, n) {
  const p = m.properties || {};
  const head = [
    h('span', {}, h('b', {}, '#' + n)),
    h('span', {}, 'exchange ', h('b', {}, exchangeLabel(m.exchange ?? ''))),
    h('span', {}, 'routing key ', h('b', { class: 'mono' }, m.routing_key)),
    h('span', {}, fmtBytes(m.payload_bytes)),
    m.payload_encoding === 'base64' ? h('span', { class: 'pill pill-warn' }, 'base64') : null,
    m.redelivered ? h('span', { class: 'pill pill-warn' }, 'redelivered') : null,
  ];
  const propList = Object.entries(p).filter(([, v]) => v !== null && v !== undefined && !(typeof v === 'object' && Object.keys(v).length === 0));
  return h('div', { class: 'message' },
    h('div', { class: 'message-head' }, head),
    propList.length ? h('div', { class: 'message-head' }, propList.map(([k, v]) =>
      h('span', {}, k + ' ', h('b', { class: 'mono' }, typeof v === 'object' ? JSON.stringify(v) : String(v))))) : null,
    h('pre', {}, m.payload));
}
