// Connections: every connection the user may see; administrators (and a user for its own
// connections) can close one, with a reason the client receives.
import { h, fmtInt, fmtTime, fmtAgo, seg, pill } from '../dom.js';
import { Table, card, filterBox, attempt, dialog, field, notify } from '../ui.js';
import { api } from '../api.js';
import { sampler } from '../state.js';

/** The colour of a connection state: running ones green, throttled ones yellow, ending ones red. */
function stateKind(state) {
  if (['open', 'ready', 'running'].includes(state)) return 'ok';
  if (['blocked', 'flow', 'paused'].includes(state)) return 'warn';
  if (['closing', 'closed'].includes(state)) return 'danger';
  return null;
}

export default {
  render({ user, vhost }) {
    const mayClose = (c) => user.administrator || c.user === user.name;
    const table = new Table([
      { key: 'client_name', label: 'Client', render: (c) => h('span', { class: 'name-link' }, c.client_name || '(unnamed)') },
      { key: 'user', label: 'User' },
      { key: 'vhost', label: 'Vhost' },
      { key: 'remote', label: 'Remote', render: (c) => h('span', { class: 'mono' }, String(c.remote ?? '').replace(/^\//, '')) },
      { key: 'protocol', label: 'Protocol' },
      { key: 'state', label: 'State', render: (c) => pill(c.state, stateKind(String(c.state).toLowerCase())) },
      { key: 'subscriptions', label: 'Subs', cls: 'num', render: (c) => fmtInt(c.subscriptions) },
      { key: 'unacked', label: 'Unacked', cls: 'num', render: (c) => fmtInt(c.unacked) },
      { key: 'connected_at', label: 'Connected', render: (c) => h('span', { title: fmtTime(c.connected_at) }, fmtAgo(c.connected_at)) },
      { key: 'actions', label: '', sort: false, cls: 'actions', render: (c) => (mayClose(c)
        ? h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: (e) => close(c, e.target) }, 'Close')
        : null) },
    ], { empty: 'No connections.', sortKey: 'connected_at', rowKey: (c) => c.id });

    const count = h('span', { class: 'muted' });
    const load = async () => {
      const list = await attempt(() => api('GET', 'api/connections'));
      if (!list) return;
      const shown = vhost ? list.filter((c) => c.vhost === vhost) : list;
      count.textContent = `${shown.length} connection${shown.length === 1 ? '' : 's'}`;
      table.set(shown);
    };

    async function close(c, button) {
      const values = await dialog({
        title: 'Close connection',
        body: `Close ${c.client_name || c.id} (${c.user} from ${c.remote})? The client receives the reason.`,
        fields: [field('Reason', h('input', { name: 'reason', value: 'closed by ' + user.name + ' from the management UI', maxlength: 200 }))],
        confirm: 'Close connection',
        danger: true,
      });
      if (!values) return;
      const done = await attempt(async () => {
        await api('DELETE', 'api/connections/' + seg(c.id), { reason: values.reason });
        return true;
      }, button);
      if (done) {
        notify(`Connection ${c.client_name || c.id} closed.`);
        load();
      }
    }

    const el = h('div', {},
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Connections'),
        h('div', { class: 'page-sub' }, vhost ? `In virtual host ${vhost}` : 'In every virtual host'))),
      card(null, [count, filterBox(table), h('button', { class: 'btn btn-small', type: 'button', onclick: load }, 'Refresh')], table.el));
    const unlisten = sampler.listen(load);
    return { el, title: 'Connections', destroy: unlisten };
  },
};
