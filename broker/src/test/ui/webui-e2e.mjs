// End-to-end test of the broker's web UI in headless Chromium, driven by playwright-core.
// Run by io.relais.broker.http.WebUiBrowserTest, which starts the broker, creates the users and
// answers the requests this script prints on stdout as "@@ <command>" (one answer line on stdin:
// "ok" or "error <why>"), so that messages are published over the Relais protocol by the real
// Java client while the page watches.
//
//   node webui-e2e.mjs <base-url> <screenshot-dir> <admin-user:password> <user:password>
//
// The user (second credentials) must not be an administrator, must have a permission entry in "/"
// and no read permission on the queue webui.orders. Exits 0 when every step passed.
import { chromium } from 'playwright-core';
import readline from 'node:readline';
import path from 'node:path';
import fs from 'node:fs';

const [base, shots, adminCred, userCred] = process.argv.slice(2);
if (!base || !shots || !adminCred || !userCred) {
  console.error('usage: node webui-e2e.mjs <base-url> <screenshot-dir> <admin-user:password> <user:password>');
  process.exit(2);
}
const split = (c) => [c.slice(0, c.indexOf(':')), c.slice(c.indexOf(':') + 1)];
const [adminName, adminPassword] = split(adminCred);
const [userName, userPassword] = split(userCred);
const QUEUE = 'webui.orders';
fs.mkdirSync(shots, { recursive: true });
fs.rmSync(path.join(shots, 'failure.png'), { force: true });

const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
/** Asks the Java side to do something on the broker (publish over the Relais protocol). */
async function broker(command) {
  console.log('@@ ' + command);
  const { value, done } = await stdin.next();
  if (done) throw new Error(`the test stopped answering (asked: ${command})`);
  if (value.trim() !== 'ok') throw new Error(`the broker side could not "${command}": ${value}`);
}

const browser = await chromium.launch({
  executablePath: process.env.RELAIS_CHROMIUM || '/usr/bin/chromium',
  // no background connections: the machines this runs on have no internet, and Chromium would keep trying
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
const page = await context.newPage();
page.setDefaultTimeout(12000);
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push('page error: ' + e.message));
page.on('console', (m) => {
  // the browser logs every 4xx answer as a failed resource; the refusals below are expected
  if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push('console error: ' + m.text());
});
page.on('requestfailed', (r) => pageErrors.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
page.on('response', (r) => {
  const u = new URL(r.url());
  if (r.status() === 404 && !u.pathname.startsWith('/api/')) pageErrors.push(`missing static file: ${u.pathname}`);
});

let passed = 0;
async function step(name, f) {
  const t0 = Date.now();
  try {
    await f();
  } catch (e) {
    const banner = await page.locator('#banners').innerText().catch(() => '');
    await page.screenshot({ path: path.join(shots, 'failure.png'), fullPage: true }).catch(() => {});
    console.log(`FAILED step "${name}" at ${page.url()}: ${e.message}`);
    if (banner) console.log('banner text: ' + banner);
    if (pageErrors.length) console.log(pageErrors.join('\n'));
    console.log(`screenshot of the failure: ${path.join(shots, 'failure.png')}`);
    await browser.close();
    process.exit(1);
  }
  passed++;
  console.log(`ok ${passed} - ${name} (${Date.now() - t0} ms)`);
}

const text = (selector, expected) => page.waitForFunction(([s, e]) => {
  const el = document.querySelector(s);
  return el && (e instanceof RegExp ? e.test(el.textContent) : el.textContent.trim() === e);
}, [selector, expected]);
const queueRow = () => page.locator('tr', { has: page.locator('a.name-link', { hasText: new RegExp(`^${QUEUE.replace('.', '\\.')}$`) }) });
const readyCell = () => queueRow().locator('td').nth(3);
async function shot(name, fullPage = true) {
  await page.evaluate(() => window.scrollTo(0, 0)); // else a full-page shot draws the sticky header mid-page
  await page.screenshot({ path: path.join(shots, name), fullPage });
}

async function logIn(name, password) {
  await page.fill('#login-user', name);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await text('#user-name', name);
  await page.locator('.nav-link.active').waitFor();
}

await step('the log-in form is shown', async () => {
  await page.goto(base);
  await page.locator('#login-form').waitFor();
});

await step('a wrong password is refused with the API error', async () => {
  await page.fill('#login-user', adminName);
  await page.fill('#login-password', adminPassword + '-wrong');
  await page.click('#login-submit');
  await text('#login-message', /AUTHENTICATION_FAILED/);
});

await step(`the administrator ${adminName} logs in and sees the overview`, async () => {
  await logIn(adminName, adminPassword);
  await text('#overview-sub', /^Relais \S+ on .+, up /);
  await text('#user-tags', 'administrator');
  await page.locator('.topbar-version').filter({ hasText: /^v\S+/ }).waitFor();
  await page.locator('.nav-link', { hasText: 'Users' }).waitFor();
});

await step(`a queue appears on the Queues page after a publish over the Relais protocol`, async () => {
  await page.click('.nav-link:has-text("Queues")');
  await page.locator('h1', { hasText: 'Queues' }).waitFor();
  if (await queueRow().count() !== 0) throw new Error(`${QUEUE} is listed before it was declared`);
  await broker(`publish ${QUEUE} 3`);
  await queueRow().waitFor({ timeout: 15000 }); // the page polls every 5 s
  await readyCell().filter({ hasText: /^3$/ }).waitFor();
});

await step('the queue page shows its depth and peeks at its messages', async () => {
  await queueRow().locator('a.name-link').click();
  await page.locator('h1', { hasText: QUEUE }).waitFor();
  await text('#queue-ready', '3');
  await page.click('#peek-form button[type=submit]');
  await page.locator('#messages .message').nth(2).waitFor();
  const payloads = await page.locator('#messages .message pre').allTextContents();
  if (payloads.join('|') !== 'order 1|order 2|order 3') throw new Error('peeked ' + JSON.stringify(payloads));
});

await step('a message published from the UI is counted', async () => {
  await page.fill('#publish-form textarea[name=payload]', '{"order": 4}');
  await page.fill('#publish-form input[name=content_type]', 'application/json');
  await page.fill('#publish-form textarea[name=headers]', '{"source": "web-ui"}');
  await page.click('#publish-form button[type=submit]');
  await page.locator('.banner-ok', { hasText: 'Message published' }).waitFor();
  await text('#queue-ready', '4');
  await page.click('#peek-form button[type=submit]');
  await page.locator('#messages .message').nth(3).waitFor();
  const last = await page.locator('#messages .message').nth(3).innerText();
  if (!last.includes('{"order": 4}') || !last.includes('application/json')) throw new Error('the published message reads ' + last);
  await page.waitForTimeout(5500); // one more sample for the depth chart
  await shot('ui-queue.png');
});

await step('purge empties the queue', async () => {
  await page.click('#purge');
  await page.click('dialog[open] button:has-text("Purge")');
  await page.locator('.banner-ok', { hasText: `Purged 4 messages from ${QUEUE}` }).waitFor();
  await text('#queue-ready', '0');
  await page.click('.nav-link:has-text("Queues")');
  await readyCell().filter({ hasText: /^0$/ }).waitFor();
  await shot('ui-queues.png');
});

await step('the administrator adds a user with the monitoring tag', async () => {
  await page.click('.nav-link:has-text("Users")');
  await page.fill('#user-form input[name=name]', 'carol');
  await page.fill('#user-form input[name=password]', 'carol-secret');
  await page.check('#user-form input[name=monitoring]');
  await page.click('#user-form button[type=submit]');
  await page.locator('tr', { hasText: 'carol' }).locator('.pill', { hasText: 'monitoring' }).waitFor();
  await page.locator('tr', { hasText: userName }).waitFor();
  await shot('ui-users.png');
});

await step('the connections page lists the Java clients', async () => {
  await page.click('.nav-link:has-text("Connections")');
  await page.locator('tr', { hasText: adminName }).locator('button', { hasText: 'Close' }).first().waitFor();
  await shot('ui-connections.png', false);
});

await step('the overview charts the message rates', async () => {
  await page.click('.nav-link:has-text("Overview")');
  await page.locator('.chart canvas').nth(1).waitFor();
  await page.waitForTimeout(300);
  await shot('ui-overview.png');
});

let oldToken;
await step('log out revokes the token', async () => {
  oldToken = await page.evaluate(() => sessionStorage.getItem('relais.token'));
  if (!oldToken) throw new Error('no token in sessionStorage while logged in');
  await page.click('#logout');
  await page.locator('#login-form').waitFor();
  const status = await page.evaluate((t) => fetch('api/whoami', { headers: { Authorization: 'Bearer ' + t } }).then((r) => r.status), oldToken);
  if (status !== 401) throw new Error(`the revoked token still answers ${status}`);
});

await step(`${userName} (no administrator) is refused a purge, shown in the banner`, async () => {
  await broker(`publish ${QUEUE} 1`);
  await logIn(userName, userPassword);
  if (await page.locator('.nav-link', { hasText: 'Users' }).count() !== 0) throw new Error('a non-administrator sees the Users page link');
  await page.goto(`${base}#/queues/%2F/${encodeURIComponent(QUEUE)}`);
  await text('#queue-ready', '1');
  await page.click('#purge');
  await page.click('dialog[open] button:has-text("Purge")');
  const banner = page.locator('.banner-error', { hasText: 'ACCESS_REFUSED' });
  await banner.waitFor();
  const said = await banner.innerText();
  if (!said.includes(userName)) throw new Error('the refusal does not name the user: ' + said);
  await shot('ui-refused.png', false);
  const depth = await page.evaluate((q) => fetch('api/queues/%2F/' + encodeURIComponent(q), {
    headers: { Authorization: 'Bearer ' + sessionStorage.getItem('relais.token') } }).then((r) => r.json()), QUEUE);
  if (depth.messages !== 1) throw new Error(`after the refused purge the queue holds ${depth.messages} messages, not 1`);
});

await step('no script error, no failed request, no missing file', async () => {
  if (pageErrors.length) throw new Error(pageErrors.join('; '));
});

await browser.close();
console.log(`webui: ${passed} passed, 0 failed`);
process.exit(0);
