// Permissions (administrators): who may configure, write and read what in which vhost.
import { h, seg, formValues } from '../dom.js';
import { Table, card, filterBox, attempt, dialog, field, notify } from '../ui.js';
import { api } from '../api.js';

const KINDS = ['configure', 'write', 'read', 'topic_write', 'topic_read'];
const LABELS = { configure: 'Configure', write: 'Write', read: 'Read', topic_write: 'Topic write', topic_read: 'Topic read' };

export default {
  render({ vhost, vhosts }) {
    const regex = (p, k) => (p[k] ? h('code', {}, p[k]) : h('span', { class: 'muted' }, k.startsWith('topic') ? 'any' : 'none'));
    const table = new Table([
      { key: 'user', label: 'User', render: (p) => h('span', { class: 'name-link' }, p.user) },
      { key: 'vhost', label: 'Vhost' },
      ...KINDS.map((k) => ({ key: k, label: LABELS[k], render: (p) => regex(p, k) })),
      { key: 'actions', label: '', sort: false, cls: 'actions', render: (p) => [
        h('button', { class: 'btn btn-small', type: 'button', onclick: () => edit(p) }, 'Edit'),
        h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: (e) => clear(p, e.target) }, 'Clear')] },
    ], { empty: 'No permissions.', sortKey: 'user' });

    const userSelect = h('select', { name: 'user', required: true });
    const load = async () => {
      const [perms, users] = await Promise.all([
        attempt(() => api('GET', vhost ? 'api/permissions/' + seg(vhost) : 'api/permissions')),
        attempt(() => api('GET', 'api/users')),
      ]);
      if (perms) table.set(perms);
      if (users) {
        const keep = userSelect.value;
        userSelect.replaceChildren(...users.map((u) => h('option', { value: u.name }, u.name)));
        if (keep) userSelect.value = keep;
      }
    };

    async function clear(p, button) {
      const ok = await dialog({ title: 'Clear permission', body: `${p.user} loses all access to ${p.vhost}.`, confirm: 'Clear', danger: true });
      if (!ok) return;
      const done = await attempt(async () => { await api('DELETE', `api/permissions/${seg(p.vhost)}/${seg(p.user)}`); return true; }, button);
      if (done) { notify(`Permission of ${p.user} in ${p.vhost} cleared.`); load(); }
    }

    function edit(p) {
      form.elements.user.value = p.user;
      form.elements.vhost.value = p.vhost;
      for (const k of KINDS) form.elements[k].value = p[k] || '';
      form.scrollIntoView({ behavior: 'smooth' });
      form.elements.configure.focus();
    }

    const form = h('form', { id: 'permission-form' },
      h('div', { class: 'form-row' },
        field('User', userSelect),
        field('Virtual host', h('select', { name: 'vhost' }, vhosts().map((v) => h('option', { value: v, selected: v === (vhost || '/') }, v))))),
      h('div', { class: 'form-row' },
        field('Configure', h('input', { name: 'configure', value: '.*', class: 'mono' })),
        field('Write', h('input', { name: 'write', value: '.*', class: 'mono' })),
        field('Read', h('input', { name: 'read', value: '.*', class: 'mono' }))),
      h('div', { class: 'form-row' },
        field('Topic write', h('input', { name: 'topic_write', value: '', class: 'mono' }), 'Empty: no restriction.'),
        field('Topic read', h('input', { name: 'topic_read', value: '', class: 'mono' }), 'Empty: no restriction.')),
      h('p', { class: 'field-hint' }, 'Each is a regular expression found anywhere in the name (anchor it with ^ and $); an empty configure, write or read allows nothing, an empty topic expression restricts nothing.'),
      h('button', { class: 'btn btn-primary', type: 'submit' }, 'Set permission'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = formValues(form);
      const body = Object.fromEntries(KINDS.map((k) => [k, v[k]]));
      const ok = await attempt(async () => { await api('PUT', `api/permissions/${seg(v.vhost)}/${seg(v.user)}`, body); return true; },
        form.querySelector('button[type=submit]'));
      if (ok) { notify(`Permission of ${v.user} in ${v.vhost} set.`); load(); }
    });

    const el = h('div', {},
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Permissions'),
        h('div', { class: 'page-sub' }, vhost ? `In virtual host ${vhost}` : 'In every virtual host'))),
      card(null, [filterBox(table), h('button', { class: 'btn btn-small', type: 'button', onclick: load }, 'Refresh')], table.el),
      card('Set a permission', null, form));
    load();
    return { el, title: 'Permissions' };
  },
};
