// The application shell: log-in, header, sidebar, vhost selector and the hash router
// (#/overview, #/queues/%2F/orders, ...). Each page module exports a render(ctx) that returns
// {el, destroy}; the router destroys the previous page before it shows the next.
import { h, replace, fmtDuration } from './dom.js';
import { api, login, logout, restoreSession, setUnauthorizedHandler, currentUser } from './api.js';
import { showError, clearBanners } from './ui.js';
import { sampler, selectedVhost, selectVhost } from './state.js';
import overview from './pages/overview.js';
import connections from './pages/connections.js';
import exchanges from './pages/exchanges.js';
import queues from './pages/queues.js';
import queue from './pages/queue.js';
import users from './pages/users.js';
import permissions from './pages/permissions.js';
import vhosts from './pages/vhosts.js';

const NAV = [
  { path: 'overview', label: 'Overview', page: overview },
  { path: 'connections', label: 'Connections', page: connections },
  { path: 'exchanges', label: 'Exchanges', page: exchanges },
  { path: 'queues', label: 'Queues', page: queues },
  { path: 'users', label: 'Users', page: users, admin: true },
  { path: 'permissions', label: 'Permissions', page: permissions, admin: true },
  { path: 'vhosts', label: 'Virtual hosts', page: vhosts, admin: true },
];

let current = null; // the page shown: {el, destroy}
let vhostNames = ['/'];

const $ = (id) => document.getElementById(id);

/** The vhosts the user may see, for the selector and the forms' vhost lists. */
export function knownVhosts() {
  return vhostNames;
}

/** Re-reads the vhost list (after a vhost was added or deleted). */
export async function reloadVhosts() {
  try {
    const list = await api('GET', 'api/vhosts');
    vhostNames = list.map((v) => v.name).sort();
  } catch (e) {
    // not allowed to list vhosts: the ones the visible queues are in
    const fromQueues = new Set((sampler.queueList || []).map((q) => q.vhost));
    vhostNames = fromQueues.size ? [...fromQueues].sort() : ['/'];
  }
  const v = selectedVhost();
  if (v && !vhostNames.includes(v)) selectVhost('');
  renderVhostSelect();
}

function renderVhostSelect() {
  const sel = $('vhost-select');
  const v = selectedVhost();
  replace(sel, h('option', { value: '' }, 'All virtual hosts'),
    vhostNames.map((n) => h('option', { value: n, selected: n === v }, n)));
  sel.value = v;
}

function showLogin(message) {
  sampler.stop();
  if (current) { current.destroy?.(); current = null; }
  $('app').hidden = true;
  $('login').hidden = false;
  const msg = $('login-message');
  msg.textContent = message || '';
  msg.hidden = !message;
  $('login-user').focus();
}

async function showApp(me) {
  $('login').hidden = true;
  $('app').hidden = false;
  replace($('user-name'), me.name);
  replace($('user-tags'), me.administrator ? 'administrator' : me.monitoring ? 'monitoring' : 'user');
  replace($('nav'), NAV.filter((n) => !n.admin || me.administrator).map((n) =>
    h('a', { href: '#/' + n.path, class: 'nav-link', 'data-path': n.path }, n.label)));
  sampler.start();
  await sampler.sample();
  await reloadVhosts();
  route();
}

function updateHeader(s) {
  const o = s.overview;
  replace($('broker-version'), 'v' + o.version);
  replace($('broker-node'), o.node || '');
  $('broker-node').title = 'up ' + fmtDuration(o.uptime_ms);
  const alarms = [];
  if (o.alarms?.memory) alarms.push('memory');
  if (o.alarms?.disk) alarms.push('disk');
  const a = $('alarm-pill');
  a.hidden = alarms.length === 0;
  a.textContent = alarms.length ? `${alarms.join(' + ')} alarm` : '';
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const parts = raw === '' ? [] : raw.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch (e) {
      return p;
    }
  });
  return parts;
}

function route() {
  const me = currentUser();
  if (!me) return;
  const parts = parseHash();
  let entry;
  let params = {};
  if (parts.length === 0) {
    entry = NAV[0];
  } else if (parts[0] === 'queues' && parts.length === 3) {
    entry = { path: 'queues', page: queue };
    params = { vhost: parts[1], name: parts[2] };
  } else {
    entry = NAV.find((n) => n.path === parts[0]);
  }
  if (current) { current.destroy?.(); current = null; }
  clearBanners();
  for (const a of document.querySelectorAll('.nav-link')) a.classList.toggle('active', entry && a.dataset.path === entry.path);
  const main = $('page');
  if (!entry) {
    replace(main, h('div', { class: 'card' }, h('h1', {}, 'Not found'), h('p', {}, 'There is no page at ' + location.hash + '.'),
      h('a', { href: '#/overview' }, 'Go to the overview')));
    return;
  }
  if (entry.admin && !me.administrator) {
    replace(main, h('div', { class: 'card' }, h('h1', {}, entry.label), h('p', {}, 'This page is for administrators.')));
    return;
  }
  try {
    current = entry.page.render({ params, user: me, vhost: selectedVhost(), vhosts: knownVhosts, reloadVhosts });
    replace(main, current.el);
    document.title = (current.title || entry.label || 'Relais') + ' · Relais';
  } catch (e) {
    showError(e);
  }
}

function init() {
  setUnauthorizedHandler(() => showLogin('Your session ended (the token expired, was revoked, or the user changed). Please log in again.'));
  sampler.listen(updateHeader);
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const btn = $('login-submit');
    btn.disabled = true;
    const msg = $('login-message');
    msg.hidden = true;
    try {
      const me = await login($('login-user').value, $('login-password').value);
      $('login-password').value = '';
      await showApp(me);
    } catch (err) {
      msg.textContent = err.describe ? err.describe() : String(err);
      msg.hidden = false;
    } finally {
      btn.disabled = false;
    }
  });
  $('logout').addEventListener('click', async () => {
    await logout();
    showLogin('You have logged out.');
  });
  $('vhost-select').addEventListener('change', (e) => {
    selectVhost(e.target.value);
    route();
  });
  window.addEventListener('hashchange', route);
  restoreSession().then((me) => (me ? showApp(me) : showLogin()));
}

init();
