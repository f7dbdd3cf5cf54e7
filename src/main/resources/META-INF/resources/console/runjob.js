// "Run a job": a form built from GET /workloads, problems shown beside their field, progress from
// GET /jobs/{id}/events, the result, and the same request as a curl command.
import { call, curl, el, ProblemError } from './api.js';

export class JobForm {
  constructor(workloads, pools, onSubmitted) {
    this.workloads = new Map(workloads.map((w) => [w.name, w]));
    this.pools = pools;
    this.onSubmitted = onSubmitted;
    this.form = document.getElementById('job-form');
    this.workload = document.getElementById('job-workload');
    this.pool = document.getElementById('job-pool');
    this.params = document.getElementById('job-params');
    this.curl = document.getElementById('job-curl');
    for (const w of workloads) this.workload.append(el('option', { value: w.name, text: w.name }));
    for (const p of pools) this.pool.append(el('option', { value: p.name, text: `${p.name} (${p.kind})` }));
    this.workload.addEventListener('change', () => this.showParams());
    this.form.addEventListener('input', () => this.showCurl());
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.submit(); });
    document.getElementById('copy-curl').addEventListener('click', () => navigator.clipboard?.writeText(this.curl.textContent));
    this.showParams();
  }

  showParams() {
    const workload = this.workloads.get(this.workload.value);
    document.getElementById('job-workload-help').textContent = workload.description;
    this.pool.value = workload.defaultPool;
    const fields = workload.params.map((spec) => {
      const id = `param-${spec.name}`;
      let input;
      if (spec.type === 'boolean') {
        input = el('input', { id, name: spec.name, type: 'checkbox' });
        input.checked = spec.defaultValue === true;
      } else if (spec.type === 'enum') {
        input = el('select', { id, name: spec.name });
        for (const value of spec.values) input.append(el('option', { value, text: value }));
        input.value = spec.defaultValue;
      } else {
        input = el('input', { id, name: spec.name, type: 'number', value: String(spec.defaultValue),
          min: String(spec.min), max: String(spec.max), step: spec.type === 'integer' ? '1' : 'any' });
      }
      input.dataset.type = spec.type;
      const range = spec.min !== undefined ? ` (${spec.min} to ${spec.max}${spec.unit ? ' ' + spec.unit : ''})` : '';
      return el('div', { class: 'row' }, el('label', { for: id, text: spec.name }), input,
        el('span', { class: 'help', text: spec.description + range }),
        el('span', { class: 'error', id: `error-params.${spec.name}`, role: 'alert' }));
    });
    this.params.replaceChildren(el('legend', { text: 'Parameters' }), ...fields);
    this.showCurl();
  }

  request() {
    const params = {};
    for (const input of this.params.querySelectorAll('input, select')) {
      const type = input.dataset.type;
      params[input.name] = type === 'boolean' ? input.checked
        : type === 'enum' ? input.value
        : input.value === '' ? input.value : Number(input.value);
    }
    const tasks = document.getElementById('job-tasks').value;
    return { workload: this.workload.value, pool: this.pool.value, tasks: tasks === '' ? tasks : Number(tasks), params };
  }

  showCurl() {
    this.curl.textContent = curl('POST', '/jobs?wait=30s', this.request());
  }

  clearErrors() {
    for (const error of this.form.querySelectorAll('.error')) error.textContent = '';
  }

  async submit() {
    this.clearErrors();
    try {
      const { data } = await call('POST', '/jobs', this.request());
      this.follow(data.id);
      this.onSubmitted();
    } catch (e) {
      if (!(e instanceof ProblemError)) throw e;
      const field = e.problem.field;
      const target = field && (document.getElementById(`error-${field}`) || null);
      (target || document.getElementById('error-body')).textContent = e.message;
    }
  }

  follow(id) {
    const run = document.getElementById('job-run');
    const state = document.getElementById('job-state');
    const bar = document.getElementById('job-progress');
    const text = document.getElementById('job-progress-text');
    const result = document.getElementById('job-result');
    run.hidden = false;
    document.getElementById('job-id').textContent = id;
    result.textContent = '';
    if (this.events) this.events.close();
    const events = new EventSource(`/jobs/${id}/events`);
    this.events = events;
    const show = (job) => {
      state.textContent = job.state;
      state.className = `badge ${job.state}`;
      const done = job.tasksDone ?? job.progress.tasksDone;
      const tasks = job.tasks;
      bar.max = tasks;
      bar.value = done;
      text.textContent = `${done} of ${tasks} tasks done`;
    };
    events.addEventListener('progress', (message) => show(JSON.parse(message.data)));
    events.addEventListener('end', (message) => {
      const job = JSON.parse(message.data);
      show(job);
      result.textContent = JSON.stringify({ timings: job.timings, result: job.result, error: job.error }, null, 2);
      events.close();
      this.onSubmitted();
    });
  }
}
