// The session's shared state: the selected vhost and one sampler that polls the overview and the
// queue list every 5 seconds, keeping a short history in the browser (the broker keeps none), so
// that the overview's rate charts and the queues' depth charts fill in while the UI is open.
import { api } from './api.js';
import { showError } from './ui.js';

export const POLL_MS = 5000;
const RATE_POINTS = 360; // 30 minutes at 5 s
const QUEUE_POINTS = 120; // 10 minutes at 5 s
const VHOST_KEY = 'relais.vhost';

/** The vhost chosen in the header ('' for all). */
export function selectedVhost() {
  return sessionStorage.getItem(VHOST_KEY) || '';
}

export function selectVhost(v) {
  sessionStorage.setItem(VHOST_KEY, v);
}

/** The key of a queue in the history. */
export function queueKey(vhost, name) {
  return vhost + '\u0000' + name;
}

class Series {
  constructor(names, max) {
    this.max = max;
    this.t = [];
    this.v = Object.fromEntries(names.map((n) => [n, []]));
  }

  add(t, values) {
    this.t.push(t);
    for (const [k, arr] of Object.entries(this.v)) arr.push(values[k] ?? null);
    if (this.t.length > this.max) {
      this.t.shift();
      for (const arr of Object.values(this.v)) arr.shift();
    }
  }

  /** uPlot's data layout: [xs, ...ys] in the order of names. */
  data(names) {
    return [this.t, ...names.map((n) => this.v[n])];
  }
}

/** Polls every POLL_MS while logged in and tells its listeners after each sample. */
class Sampler {
  constructor() {
    this.rates = new Series(['publish', 'deliver', 'ack', 'ready', 'unacked'], RATE_POINTS);
    this.queues = new Map();
    this.overview = null;
    this.queueList = [];
    this.listeners = new Set();
    this.timer = null;
    this.running = null;
    this.next = null;
  }

  start() {
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), POLL_MS);
    this.sample();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.rates = new Series(['publish', 'deliver', 'ack', 'ready', 'unacked'], RATE_POINTS);
    this.queues.clear();
    this.overview = null;
    this.queueList = [];
  }

  /**
   * Samples now (a refresh button, or after a change); resolves when the listeners have run. A sample
   * already under way may have started before the change, so one more follows it (shared by every
   * caller that asks meanwhile).
   */
  sample() {
    if (!this.running) {
      this.running = this.take().finally(() => { this.running = null; });
      return this.running;
    }
    if (!this.next) {
      this.next = this.running.then(() => {
        this.next = null;
        return this.sample();
      });
    }
    return this.next;
  }

  async take() {
    let overview = null;
    let queues = null;
    try {
      [overview, queues] = await Promise.all([api('GET', 'api/overview'), api('GET', 'api/queues')]);
    } catch (e) {
      if (this.timer) showError(e);
      this.failed(e);
      return;
    }
    this.failed(null);
    const t = Date.now() / 1000;
    this.overview = overview;
    this.queueList = queues;
    const r = overview.message_rates || {};
    const q = overview.queue_totals || {};
    this.rates.add(t, { publish: r.publish, deliver: r.deliver, ack: r.ack, ready: q.messages_ready, unacked: q.messages_unacked });
    const seen = new Set();
    for (const queue of queues) {
      const k = queueKey(queue.vhost, queue.name);
      seen.add(k);
      if (!this.queues.has(k)) this.queues.set(k, new Series(['ready', 'unacked'], QUEUE_POINTS));
      this.queues.get(k).add(t, { ready: queue.messages, unacked: queue.messages_unacked });
    }
    for (const k of [...this.queues.keys()]) if (!seen.has(k)) this.queues.delete(k);
    for (const f of this.listeners) {
      try {
        f(this);
      } catch (e) {
        showError(e);
      }
    }
  }

  /** Marks the header's live indicator: green while polls succeed, red with the error when one fails. */
  failed(e) {
    const live = document.getElementById('live');
    if (!live) return;
    live.classList.toggle('live-down', !!e);
    live.textContent = e ? 'offline' : 'live';
    live.title = e ? 'The last poll failed: ' + (e.describe ? e.describe() : e.message) : 'Polling the broker every 5 seconds';
  }

  /** Calls f(sampler) after every sample (and now, if there is one); returns the unsubscribe function. */
  listen(f) {
    this.listeners.add(f);
    if (this.overview) f(this);
    return () => this.listeners.delete(f);
  }

  queueHistory(vhost, name) {
    return this.queues.get(queueKey(vhost, name)) || null;
  }
}

export const sampler = new Sampler();
