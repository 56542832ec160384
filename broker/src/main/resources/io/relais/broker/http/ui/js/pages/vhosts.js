// Virtual hosts (administrators): list, add, delete.
import { h, seg, fmtInt } from '../dom.js';
import { Table, card, attempt, dialog, field, notify } from '../ui.js';
import { api } from '../api.js';

export default {
  render({ user, reloadVhosts }) {
    const table = new Table([
      { key: 'name', label: 'Name', render: (v) => h('span', { class: 'name-link' }, v.name) },
      { key: 'queues', label: 'Queues', cls: 'num', render: (v) => fmtInt(v.queues) },
      { key: 'connections', label: 'Connections', cls: 'num', render: (v) => fmtInt(v.connections) },
      { key: 'actions', label: '', sort: false, cls: 'actions', render: (v) => (v.name === '/'
        ? null : h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: (e) => remove(v, e.target) }, 'Delete')) },
    ], { empty: 'No virtual hosts.', sortKey: 'name' });

    const load = async () => {
      const list = await attempt(() => api('GET', 'api/vhosts'));
      if (list) table.set(list);
    };

    async function remove(v, button) {
      const ok = await dialog({ title: 'Delete virtual host', body: `Delete ${v.name} with its ${v.queues ?? ''} queues, their messages and every permission in it? Its connections are closed.`, confirm: 'Delete', danger: true });
      if (!ok) return;
      const done = await attempt(async () => { await api('DELETE', 'api/vhosts/' + seg(v.name)); return true; }, button);
      if (done) { notify(`Virtual host ${v.name} deleted.`); load(); reloadVhosts(); }
    }

    const form = h('form', {},
      field('Name', h('input', { name: 'name', required: true, maxlength: 255, placeholder: 'staging' })),
      h('div', { class: 'form-actions' },
        h('label', { class: 'check', title: 'Administrators too need a permission to declare, publish and read in a vhost' },
          h('input', { type: 'checkbox', name: 'grant', checked: true }), `Give ${user.name} full permissions in it`),
        h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add virtual host')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = form.elements.name.value;
      const grant = form.elements.grant.checked;
      const ok = await attempt(async () => {
        await api('PUT', 'api/vhosts/' + seg(name));
        if (grant) {
          await api('PUT', `api/permissions/${seg(name)}/${seg(user.name)}`,
            { configure: '.*', write: '.*', read: '.*', topic_write: '', topic_read: '' });
        }
        return true;
      }, form.querySelector('button[type=submit]'));
      if (ok) { notify(`Virtual host ${name} added${grant ? ` with full permissions for ${user.name}` : ''}. Give other users permissions in it on the Permissions page.`); form.reset(); load(); reloadVhosts(); }
    });

    const el = h('div', {},
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Virtual hosts'),
        h('div', { class: 'page-sub' }, 'Each has its own exchanges, queues and permissions.'))),
      card(null, h('button', { class: 'btn btn-small', type: 'button', onclick: load }, 'Refresh'), table.el),
      card('Add a virtual host', null, form));
    load();
    return { el, title: 'Virtual hosts' };
  },
};
