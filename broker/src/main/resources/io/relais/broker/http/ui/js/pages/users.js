// Users (administrators): list, create, change tags or password, delete.
import { h, seg, pill, formValues } from '../dom.js';
import { Table, card, filterBox, attempt, dialog, field, notify } from '../ui.js';
import { api } from '../api.js';

const TAGS = ['administrator', 'monitoring'];

function tagChecks(selected) {
  return h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'Tags'),
    h('div', {}, TAGS.map((t) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: t, 'data-group': 'tags', checked: selected.includes(t) }), t))),
    h('span', { class: 'field-hint' }, 'administrator: everything; monitoring: read-only everywhere; none: only the vhosts it has permissions in.'));
}

export default {
  render({ user }) {
    const table = new Table([
      { key: 'name', label: 'Name', render: (u) => h('span', { class: 'name-link' }, u.name) },
      { key: 'tags', label: 'Tags', value: (u) => (u.tags || []).join(','), render: (u) => ((u.tags || []).length
        ? u.tags.map((t) => pill(t, t === 'administrator' ? 'brand' : null)) : h('span', { class: 'muted' }, 'none')) },
      { key: 'actions', label: '', sort: false, cls: 'actions', render: (u) => [
        h('button', { class: 'btn btn-small', type: 'button', onclick: (e) => editTags(u, e.target) }, 'Tags'),
        h('button', { class: 'btn btn-small', type: 'button', onclick: (e) => password(u, e.target) }, 'Password'),
        u.name === user.name ? null : h('button', { class: 'btn btn-small btn-danger', type: 'button', onclick: (e) => remove(u, e.target) }, 'Delete')] },
    ], { empty: 'No users.', sortKey: 'name', rowKey: (u) => u.name });

    const load = async () => {
      const list = await attempt(() => api('GET', 'api/users'));
      if (list) table.set(list);
    };

    async function editTags(u, button) {
      const form = h('div', {}, tagChecks(u.tags || []));
      const v = await dialog({ title: `Tags of ${u.name}`, fields: [form], confirm: 'Save' });
      if (!v) return;
      const tags = TAGS.filter((t) => v[t]);
      const ok = await attempt(async () => { await api('PUT', 'api/users/' + seg(u.name), { tags }); return true; }, button);
      if (ok) { notify(`Tags of ${u.name}: ${tags.join(', ') || 'none'}.`); load(); }
    }

    async function password(u, button) {
      const v = await dialog({ title: `New password for ${u.name}`, body: 'Its tokens stop working; its connections stay open.',
        fields: [field('Password', h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }))], confirm: 'Change password' });
      if (!v) return;
      const ok = await attempt(async () => {
        await api('PUT', 'api/users/' + seg(u.name), { password: v.password, tags: u.tags || [] });
        return true;
      }, button);
      if (ok) notify(`Password of ${u.name} changed.`);
    }

    async function remove(u, button) {
      const ok = await dialog({ title: 'Delete user', body: `Delete ${u.name} and its permissions? Its connections are closed.`, confirm: 'Delete', danger: true });
      if (!ok) return;
      const done = await attempt(async () => { await api('DELETE', 'api/users/' + seg(u.name)); return true; }, button);
      if (done) { notify(`User ${u.name} deleted.`); load(); }
    }

    const form = h('form', { id: 'user-form' },
      h('div', { class: 'form-row' },
        field('Name', h('input', { name: 'name', required: true, maxlength: 255, autocomplete: 'off' })),
        field('Password', h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' }))),
      tagChecks([]),
      h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add user'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = formValues(form);
      const ok = await attempt(async () => {
        await api('PUT', 'api/users/' + seg(v.name), { password: v.password, tags: v.tags || [] });
        return true;
      }, form.querySelector('button[type=submit]'));
      if (ok) {
        notify(`User ${v.name} created. Give it permissions on the Permissions page.`);
        form.reset();
        load();
      }
    });

    const el = h('div', {},
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Users'),
        h('div', { class: 'page-sub' }, 'The users of the broker, for its protocol and this UI alike.'))),
      card(null, [filterBox(table), h('button', { class: 'btn btn-small', type: 'button', onclick: load }, 'Refresh')], table.el),
      card('Add a user', null, form));
    load();
    return { el, title: 'Users' };
  },
};
