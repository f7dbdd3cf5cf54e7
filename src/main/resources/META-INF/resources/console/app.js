// The console: wires the sections to the service. Everything it shows comes from the public API.
import { get } from './api.js';
import { render as renderPools } from './pools.js';
import { Timeline } from './timeline.js';
import { JobForm } from './runjob.js';
import { JobList } from './jobs.js';
import { Experiments, presets } from './experiments.js';
import { renderLessons } from './lessons.js';

function liveFigures() {
  const cards = document.getElementById('pool-cards');
  const state = document.getElementById('stream-state');
  const from = document.getElementById('streaming-from');
  const events = new EventSource('/events');
  events.addEventListener('stats', (message) => {
    const snapshot = JSON.parse(message.data);
    from.textContent = snapshot.instance;
    state.textContent = 'live';
    state.className = 'badge ok';
    renderPools(snapshot, cards);
  });
  events.addEventListener('shutdown', () => { state.textContent = 'instance shutting down'; state.className = 'badge bad'; });
  events.onerror = () => { state.textContent = 'reconnecting'; state.className = 'badge bad'; };
}

function timelineSection(pools) {
  const select = document.getElementById('timeline-pool');
  const toggle = document.getElementById('timeline-toggle');
  const timeline = new Timeline(document.getElementById('timeline-canvas'),
    document.getElementById('timeline-status'), document.getElementById('timeline-legend'));
  for (const pool of pools.filter((p) => p.kind === 'gil')) {
    select.append(new Option(pool.name, pool.name));
  }
  const label = () => { toggle.textContent = timeline.watching ? 'Stop' : 'Watch'; };
  toggle.addEventListener('click', () => {
    if (timeline.watching) timeline.stop(); else timeline.watch(select.value);
    label();
  });
  select.addEventListener('change', () => { if (timeline.watching) timeline.watch(select.value); });
  timeline.watchPool = (pool) => {
    select.value = pool;
    if (!timeline.watching || timeline.pool !== pool) timeline.watch(pool);
    label();
    document.getElementById('timeline').scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  return timeline;
}

async function main() {
  liveFigures();
  const [workloads, pools, presetList] = await Promise.all([get('/workloads'), get('/pools'), presets()]);
  const timeline = timelineSection(pools);
  const jobs = new JobList(pools, workloads);
  new JobForm(workloads, pools, () => jobs.refresh());
  new Experiments(presetList);
  renderLessons(document.getElementById('lesson-cards'), timeline);
  await jobs.refresh();
  setInterval(() => jobs.refresh().catch(() => {}), 3000);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  document.body.dataset.ready = 'failed';
  console.error('the console could not start', e);
});
