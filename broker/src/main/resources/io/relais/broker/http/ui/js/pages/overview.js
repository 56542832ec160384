// Overview: version, uptime, listeners, object totals, alarms and live rate charts.
import { h, replace, fmtInt, fmtRate, fmtBytes, fmtDuration } from '../dom.js';
import { card, stat } from '../ui.js';
import { sampler } from '../state.js';
import { lineChart, COLORS } from '../charts.js';

const RATES = [
  { key: 'publish', label: 'Publish', color: COLORS.publish },
  { key: 'deliver', label: 'Deliver', color: COLORS.deliver },
  { key: 'ack', label: 'Ack', color: COLORS.ack },
];
const DEPTH = [
  { key: 'ready', label: 'Ready', color: COLORS.ready },
  { key: 'unacked', label: 'Unacked', color: COLORS.unacked },
];

export default {
  render() {
    const alarm = h('div', { class: 'alarm alarm-off', id: 'alarms' });
    const stats = h('div', { class: 'stats' });
    const rates = lineChart({ series: RATES, unit: '/s', title: 'Message rates' });
    const depth = lineChart({ series: DEPTH, title: 'Queued messages' });
    const node = h('dl', { class: 'props' });
    const listeners = h('tbody');
    const totals = h('dl', { class: 'props' });
    const el = h('div', { class: 'page-overview' },
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Overview'),
        h('div', { class: 'page-sub', id: 'overview-sub' }, 'Loading…'))),
      alarm,
      stats,
      h('div', { class: 'grid-2' },
        card('Message rates', h('span', { class: 'muted' }, 'per second, sampled every 5 s'), rates.el),
        card('Queued messages', h('span', { class: 'muted' }, 'all visible queues'), depth.el)),
      h('div', { class: 'grid-3', style: 'margin-top:16px' },
        card('Node', null, node),
        card('Listeners', null, h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Protocol'), h('th', {}, 'Address'), h('th', { class: 'num' }, 'Port'))),
          listeners))),
        card('Message totals', h('span', { class: 'muted' }, 'since start'), totals)));

    const update = (s) => {
      const o = s.overview;
      const ot = o.object_totals || {};
      const qt = o.queue_totals || {};
      const r = o.message_rates || {};
      replace(el.querySelector('#overview-sub'), `Relais ${o.version} on ${o.node || 'this node'}, up ${fmtDuration(o.uptime_ms)}`);
      const on = [];
      if (o.alarms?.memory) on.push('Memory alarm: publishers are blocked until memory use falls below the limit.');
      if (o.alarms?.disk) on.push('Disk alarm: free disk space is below the limit; publishers are blocked.');
      alarm.className = 'alarm ' + (on.length ? 'alarm-on' : 'alarm-off');
      replace(alarm, h('span', { class: 'alarm-dot' }),
        on.length ? h('div', {}, on.map((t) => h('div', {}, t))) : 'No alarms: memory and disk are within their limits.');
      replace(stats,
        stat('Connections', fmtInt(ot.connections)),
        stat('Exchanges', fmtInt(ot.exchanges)),
        stat('Queues', fmtInt(ot.queues)),
        stat('Consumers', fmtInt(ot.consumers)),
        stat('Ready', fmtInt(qt.messages_ready)),
        stat('Unacked', fmtInt(qt.messages_unacked)),
        stat('Publish', fmtRate(r.publish)),
        stat('Deliver', fmtRate(r.deliver)));
      replace(node,
        h('dt', {}, 'Version'), h('dd', {}, o.version),
        h('dt', {}, 'Node'), h('dd', {}, o.node || '–'),
        h('dt', {}, 'Uptime'), h('dd', {}, fmtDuration(o.uptime_ms)),
        h('dt', {}, 'Virtual hosts'), h('dd', {}, fmtInt(ot.vhosts)),
        h('dt', {}, 'Disk free'), h('dd', {}, fmtBytes(o.disk_free_bytes)),
        h('dt', {}, 'Memory alarm'), h('dd', {}, o.alarms?.memory ? 'raised' : 'no'),
        h('dt', {}, 'Disk alarm'), h('dd', {}, o.alarms?.disk ? 'raised' : 'no'));
      replace(listeners, (o.listeners || []).map((l) => h('tr', {},
        h('td', {}, l.protocol), h('td', { class: 'mono' }, l.host), h('td', { class: 'num' }, l.port))));
      const mt = o.message_totals || {};
      replace(totals, ['published', 'delivered', 'acked', 'redelivered', 'confirmed', 'unroutable']
        .filter((k) => mt[k] !== null && mt[k] !== undefined).flatMap((k) => [h('dt', {}, k[0].toUpperCase() + k.slice(1)), h('dd', {}, fmtInt(mt[k]))]));
      rates.set(s.rates.data(RATES.map((x) => x.key)));
      depth.set(s.rates.data(DEPTH.map((x) => x.key)));
    };
    const unlisten = sampler.listen(update);
    return { el, title: 'Overview', destroy() { unlisten(); rates.destroy(); depth.destroy(); } };
  },
};
