// The lessons threadlab teaches, each measured live with one click and shown next to its claim.
import { call, el, fmt, runJob } from './api.js';

const CPU = 20_000_000; // about 110 ms of one core per task

const LESSONS = [
  {
    id: 'gil-cpu',
    claim: 'CPU-bound threads do not speed up under a GIL.',
    explain: 'Four CPU tasks at once on the gil pool take about as long as four one after another; on the cpu pool (platform threads, no GIL) they share the cores. The GIL timeline shows the token passing between the threads every switch interval.',
    watch: 'gil',
    async run() {
      const one = await runJob({ workload: 'cpu', pool: 'gil', tasks: 1, params: { iterations: CPU } });
      const four = await runJob({ workload: 'cpu', pool: 'gil', tasks: 4, params: { iterations: CPU } });
      const free = await runJob({ workload: 'cpu', pool: 'cpu', tasks: 4, params: { iterations: CPU } });
      const speedup = (4 * one.timings.wallMs) / four.timings.wallMs;
      return `gil: 1 task ${one.timings.wallMs} ms, 4 tasks ${four.timings.wallMs} ms: speedup ${fmt(speedup, 2)} x ` +
        `(4 tasks on the cpu pool: ${free.timings.wallMs} ms)`;
    },
  },
  {
    id: 'gil-io',
    claim: 'I/O-bound threads do speed up, even under a GIL.',
    explain: 'Eight tasks that each wait 200 ms (a network call) release the token while they wait, so they overlap.',
    async run() {
      const job = await runJob({ workload: 'io', pool: 'gil', tasks: 8, params: { durationMs: 200 } });
      return `8 waits of 200 ms on the gil pool: ${job.timings.wallMs} ms in all (one after another: 1600 ms)`;
    },
  },
  {
    id: 'race',
    claim: 'A shared counter loses updates without a lock.',
    explain: 'Two tasks increment one counter ten million times each: with sync none their read-modify-writes overwrite each other; a lock loses none.',
    async run() {
      const none = await runJob({ workload: 'counter', tasks: 2, params: { sync: 'none' } });
      const lock = await runJob({ workload: 'counter', tasks: 2, params: { sync: 'lock' } });
      return `no lock: ${fmt(none.result.lostUpdates, 0)} of ${fmt(none.result.expected, 0)} updates lost; ` +
        `with a lock: ${fmt(lock.result.lostUpdates, 0)} lost (${fmt(lock.result.lockWaitMs, 0)} ms waiting for it)`;
    },
  },
  {
    id: 'join',
    claim: 'Join is how work is coordinated.',
    explain: 'Three jobs of 100, 300 and 600 ms: waiting for ANY returns with the first, waiting for ALL with the last, and no thread is held meanwhile.',
    async run() {
      const ids = [];
      for (const ms of [100, 300, 600]) {
        ids.push((await call('POST', '/jobs', { workload: 'io', params: { durationMs: ms } })).data.id);
      }
      const started = performance.now();
      const any = (await call('POST', '/jobs/wait', { ids, mode: 'ANY', timeout: '10s' })).data;
      const anyMs = performance.now() - started;
      await call('POST', '/jobs/wait', { ids, mode: 'ALL', timeout: '10s' });
      const allMs = performance.now() - started;
      return `ANY returned after ${fmt(anyMs, 0)} ms with ${any.done.length} job done; ALL after ${fmt(allMs, 0)} ms`;
    },
  },
  {
    id: 'responsiveness',
    claim: 'A CPU-bound thread hurts responsiveness under a GIL.',
    explain: 'A loop of 70 µs blocking operations (a UI or a server thread) alone, then beside one CPU-bound thread on the same GIL: each operation waits a switch interval to get the token back (the convoy effect).',
    watch: 'gil',
    async run() {
      const ops = { workload: 'io', pool: 'gil', params: { durationMs: 14, chunks: 200 } };
      const alone = await runJob(ops);
      const hog = (await call('POST', '/jobs', { workload: 'cpu', pool: 'gil', params: { iterations: 10_000_000_000 } })).data;
      try {
        const beside = await runJob(ops);
        return `one op alone: ${fmt(alone.result.chunkLatency.p50Ms, 2)} ms; beside a CPU thread: ` +
          `${fmt(beside.result.chunkLatency.p50Ms, 2)} ms (median of 200)`;
      } finally {
        await call('DELETE', `/jobs/${hog.id}`).catch(() => {});
      }
    },
  },
  {
    id: 'procs',
    claim: 'Processes bring CPU parallelism back.',
    explain: 'The procs pool gives each core its own token, like multiprocessing: two CPU tasks run side by side again.',
    async run() {
      const gil = await runJob({ workload: 'cpu', pool: 'gil', tasks: 2, params: { iterations: CPU } });
      const procs = await runJob({ workload: 'cpu', pool: 'procs', tasks: 2, params: { iterations: CPU } });
      return `2 CPU tasks: ${gil.timings.wallMs} ms on one GIL, ${procs.timings.wallMs} ms on procs`;
    },
  },
];

export function renderLessons(container, timeline) {
  for (const lesson of LESSONS) {
    const result = el('p', { class: 'measured', 'aria-live': 'polite', id: `lesson-${lesson.id}-result` });
    const button = el('button', { type: 'button', id: `lesson-${lesson.id}`, text: 'Measure it' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      result.textContent = 'measuring…';
      if (lesson.watch) {
        timeline.watchPool(lesson.watch);
      }
      try {
        result.textContent = await lesson.run();
      } catch (e) {
        result.textContent = `could not measure: ${e.message}`;
      } finally {
        button.disabled = false;
      }
    });
    container.append(el('article', { class: 'card lesson', 'data-lesson': lesson.id },
      el('h3', { class: 'claim', text: lesson.claim }), el('p', { class: 'hint', text: lesson.explain }), button, result));
  }
}
