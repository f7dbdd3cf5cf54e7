// Live pool cards from GET /events: one stats event a second.
import { el, fmt } from './api.js';

const HISTORY = 60;
const history = new Map(); // pool -> { load: [], jobs: [] }

function sparkline(values, max, label) {
  const width = 240, height = 36;
  const top = Math.max(max, 1);
  // the newest sample at the right edge, one step a second back from it
  const step = width / (HISTORY - 1);
  const points = values.map((v, i) => `${width - (values.length - 1 - i) * step},${height - (v / top) * (height - 2) - 1}`).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.innerHTML = `<polyline fill="none" stroke="#0b5cad" stroke-width="1.5" points="${points}"/>`;
  return svg;
}

function ratioBar(label, ratio) {
  const bar = el('div', { class: 'bar', role: 'meter', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '1',
    'aria-valuenow': String(ratio) });
  bar.append(el('span', { style: `width:${Math.round(ratio * 100)}%` }));
  return bar;
}

export function render(snapshot, container) {
  container.replaceChildren(...snapshot.pools.map((pool) => {
    const seen = history.get(pool.name) || { load: [], jobs: [] };
    seen.load = [...seen.load, pool.activeTasks + pool.queuedTasks].slice(-HISTORY);
    seen.jobs = [...seen.jobs, pool.jobsPerSecond].slice(-HISTORY);
    history.set(pool.name, seen);
    const card = el('article', { class: 'card', 'data-pool': pool.name },
      el('h3', {}, pool.name + ' ', el('span', { class: 'kind', text: pool.kind })));
    const figures = el('dl');
    const add = (term, value) => figures.append(el('dt', { text: term }), el('dd', { text: value }));
    add('threads', fmt(pool.threads, 0));
    add('running tasks', fmt(pool.activeTasks, 0));
    add('queued tasks', fmt(pool.queuedTasks, 0));
    add('jobs/s', fmt(pool.jobsPerSecond));
    add('tasks/s', fmt(pool.tasksPerSecond));
    card.append(figures);
    card.append(el('div', { class: 'hint', text: 'running + queued, last minute' }),
      sparkline(seen.load, Math.max(...seen.load), `running and queued tasks of ${pool.name} over the last minute`));
    if (pool.gil) {
      const g = pool.gil;
      const gil = el('dl');
      const addGil = (term, value) => gil.append(el('dt', { text: term }), el('dd', { text: value }));
      addGil('tokens', `${g.interpreters} × ${fmt(g.switchIntervalMs, 2)} ms`);
      addGil('held', `${fmt(g.heldRatio * 100, 0)} %`);
      addGil('waited for', `${fmt(g.waitRatio * 100, 0)} %`);
      addGil('switches/s', fmt(g.switchesPerSecond, 0));
      addGil('probe lag p99', `${fmt(g.probeLagP99Ms, 2)} ms`);
      card.append(gil, ratioBar(`share of time the token of ${pool.name} was held`, g.heldRatio));
    }
    return card;
  }));
}
