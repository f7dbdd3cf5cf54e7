// Recent jobs with the filters of GET /jobs, and a cancel button for those still running.
import { call, el, get } from './api.js';

export class JobList {
  constructor(pools, workloads) {
    this.body = document.querySelector('#jobs-table tbody');
    this.filters = ['state', 'pool', 'workload'].map((name) => document.getElementById(`jobs-${name}`));
    for (const p of pools) this.filters[1].append(el('option', { value: p.name, text: p.name }));
    for (const w of workloads) this.filters[2].append(el('option', { value: w.name, text: w.name }));
    for (const filter of this.filters) filter.addEventListener('change', () => this.refresh());
  }

  async refresh() {
    const query = new URLSearchParams({ limit: '20' });
    this.filters.forEach((filter, i) => { if (filter.value) query.set(['state', 'pool', 'workload'][i], filter.value); });
    const jobs = await get(`/jobs?${query}`);
    this.body.replaceChildren(...jobs.map((job) => {
      const cancel = el('td');
      if (!job.done) {
        const button = el('button', { type: 'button', class: 'secondary', text: 'Cancel', 'aria-label': `Cancel job ${job.id}` });
        button.addEventListener('click', async () => {
          button.disabled = true;
          try { await call('DELETE', `/jobs/${job.id}`); } catch { /* it ended meanwhile */ }
          this.refresh();
        });
        cancel.append(button);
      }
      return el('tr', { 'data-job': job.id },
        el('td', {}, el('code', { text: job.id })), el('td', { text: job.workload }), el('td', { text: job.pool }),
        el('td', { class: 'num', text: String(job.tasks) }),
        el('td', {}, el('span', { class: `badge ${job.state}`, text: job.state })),
        el('td', { class: 'num', text: job.timings && job.timings.wallMs !== undefined ? String(job.timings.wallMs) : '–' }),
        cancel);
    }));
  }
}
