// Experiments: pick a preset or edit the spec, watch the progress, see the chart and the table, download the CSV.
import { call, el, fmt, get, ProblemError } from './api.js';

const COLUMNS = [['variant', 'variant'], ['pool', 'pool'], ['tasks', 'tasks'], ['background', 'CPU threads beside'],
  ['medianWallMs', 'median wall ms'], ['speedup', 'speedup'], ['throughputPerSecond', 'tasks/s'],
  ['chunkLatencyP50Ms', 'op p50 ms'], ['lostUpdates', 'lost updates'], ['gilWaitShare', 'GIL wait share']];

export class Experiments {
  constructor(presets) {
    this.presets = new Map(presets.map((p) => [p.name, p]));
    this.select = document.getElementById('experiment-preset');
    this.spec = document.getElementById('experiment-spec');
    this.status = document.getElementById('experiment-status');
    this.error = document.getElementById('experiment-error');
    this.progress = document.getElementById('experiment-progress');
    this.output = document.getElementById('experiment-output');
    for (const p of presets) this.select.append(el('option', { value: p.name, text: `${p.name}: ${p.description}` }));
    this.select.addEventListener('change', () => this.pick());
    document.getElementById('experiment-run').addEventListener('click', () => this.run());
    this.pick();
  }

  pick() {
    this.spec.value = JSON.stringify({ preset: this.select.value });
  }

  async run() {
    this.error.textContent = '';
    let request;
    try {
      request = JSON.parse(this.spec.value);
    } catch (e) {
      this.error.textContent = `not JSON: ${e.message}`;
      return;
    }
    try {
      const { data } = await call('POST', '/experiments', request);
      this.follow(data.id);
    } catch (e) {
      if (!(e instanceof ProblemError)) throw e;
      this.error.textContent = e.message;
    }
  }

  async follow(id) {
    this.progress.hidden = false;
    this.output.replaceChildren();
    let view;
    do {
      view = (await call('GET', `/experiments/${id}/join?timeout=1s`)).data;
      this.progress.max = view.progress.jobs;
      this.progress.value = view.progress.jobsDone;
      this.status.textContent = `${view.state}: ${view.progress.jobsDone} of ${view.progress.jobs} jobs`;
    } while (!view.done);
    this.show(id, view);
  }

  show(id, view) {
    if (view.error) this.error.textContent = view.error;
    const chart = el('figure', { class: 'chart' },
      el('img', { src: `/experiments/${id}/chart.svg`, alt: `chart of experiment ${view.preset || id}`, 'data-experiment': id }),
      el('figcaption', {}, el('a', { href: `/experiments/${id}?format=csv`, download: `${id}.csv`, text: 'download the CSV' })));
    const used = COLUMNS.filter(([key]) => view.rows.some((row) => row[key] !== undefined && row[key] !== null));
    const table = el('table', {},
      el('thead', {}, el('tr', {}, ...used.map(([, title]) => el('th', { scope: 'col', text: title })))),
      el('tbody', {}, ...view.rows.map((row) => el('tr', {}, ...used.map(([key]) => {
        const value = row[key];
        return el('td', { class: typeof value === 'number' ? 'num' : '',
          text: key === 'variant' ? Object.entries(value || {}).map(([k, v]) => `${k}=${v}`).join(' ') || '–'
            : typeof value === 'number' ? fmt(value, 3) : String(value ?? '–') });
      })))));
    this.output.replaceChildren(chart, el('div', { class: 'table-scroll', tabindex: '0', role: 'region',
      'aria-label': 'experiment rows' }, table));
  }
}

export async function presets() {
  return get('/experiments/presets');
}
