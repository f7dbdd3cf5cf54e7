// The GIL timeline: token hand-overs from GET /pools/{name}/timeline drawn as one lane per thread.
const WINDOW_MS = 5000;

export class Timeline {
  constructor(canvas, status, legend) {
    this.canvas = canvas;
    this.status = status;
    this.legend = legend;
    this.source = null;
    this.reset();
  }

  reset() {
    this.segments = new Map(); // thread -> [{from, to, wait, release}]
    this.open = new Map(); // thread -> segment being held
    this.probes = []; // {at, wait}
    this.serverNow = 0;
    this.receivedAt = 0;
    this.missed = 0;
  }

  watch(pool) {
    this.stop();
    this.reset();
    this.pool = pool;
    this.source = new EventSource(`/pools/${encodeURIComponent(pool)}/timeline`);
    this.status.textContent = `watching ${pool}`;
    this.source.addEventListener('handovers', (message) => this.add(JSON.parse(message.data)));
    this.source.addEventListener('shutdown', () => this.stop('the instance is shutting down'));
    this.source.onerror = () => { this.status.textContent = `reconnecting to ${pool}…`; };
    const frame = () => {
      if (!this.source) return;
      this.draw();
      this.frame = setTimeout(() => requestAnimationFrame(frame), 100);
    };
    frame();
  }

  stop(reason) {
    if (this.source) this.source.close();
    this.source = null;
    clearTimeout(this.frame);
    this.status.textContent = reason || 'not watching';
  }

  get watching() { return this.source !== null; }

  add(batch) {
    this.missed += batch.missed;
    for (const event of batch.events) {
      this.serverNow = Math.max(this.serverNow, event.at);
      const lane = event.thread;
      if (!this.segments.has(lane)) this.segments.set(lane, []);
      if (event.kind === 'take') {
        const segment = { from: event.at, to: null, wait: event.waitMs || 0, release: null };
        this.segments.get(lane).push(segment);
        this.open.set(lane, segment);
      } else if (event.kind === 'forced-release' || event.kind === 'voluntary-release') {
        const segment = this.open.get(lane);
        if (segment) {
          segment.to = event.at;
          segment.release = event.kind === 'forced-release' ? 'forced' : 'voluntary';
          this.open.delete(lane);
        }
      } else if (event.kind === 'probe-take') {
        this.probes.push({ at: event.at, wait: event.waitMs || 0, lane });
      }
    }
    this.receivedAt = performance.now();
    const horizon = this.serverNow - WINDOW_MS - 1000;
    for (const [lane, list] of this.segments) {
      const kept = list.filter((s) => s.to === null || s.to > horizon);
      if (kept.length) this.segments.set(lane, kept); else if (!this.open.has(lane)) this.segments.delete(lane);
    }
    this.probes = this.probes.filter((p) => p.at > horizon);
  }

  lanes() {
    const probeLanes = new Set(this.probes.map((p) => p.lane));
    const tasks = [...this.segments.keys()].filter((l) => !probeLanes.has(l)).sort(byNumber);
    return [...tasks, ...[...probeLanes].sort(byNumber)];
  }

  draw() {
    const context = this.canvas.getContext('2d');
    const lanes = this.lanes();
    const laneHeight = 22, left = 170, top = 8;
    const height = Math.max(60, top + lanes.length * laneHeight + 26);
    if (this.canvas.height !== height) this.canvas.height = height;
    const width = this.canvas.width;
    context.clearRect(0, 0, width, height);
    const end = this.serverNow + (this.receivedAt ? Math.min(performance.now() - this.receivedAt, 400) : 0);
    const start = end - WINDOW_MS;
    const x = (t) => left + ((t - start) / WINDOW_MS) * (width - left - 10);
    context.font = '12px system-ui, sans-serif';
    context.fillStyle = '#4a5563';
    for (let s = 0; s <= 5; s++) {
      const px = left + (s / 5) * (width - left - 10);
      context.fillRect(px, top, 1, lanes.length * laneHeight);
      const label = s === 5 ? 'now' : `-${5 - s} s`;
      context.fillText(label, s === 5 ? px - context.measureText(label).width : px - 10, top + lanes.length * laneHeight + 16);
    }
    lanes.forEach((lane, i) => {
      const y = top + i * laneHeight;
      context.fillStyle = '#1b1f24';
      context.fillText(lane.replace('threadlab-', ''), 4, y + 15);
      for (const segment of this.segments.get(lane) || []) {
        const to = segment.to === null ? end : segment.to;
        if (to < start) continue;
        if (segment.wait > 0) {
          context.fillStyle = '#c8d9ee';
          context.fillRect(x(Math.max(segment.from - segment.wait, start)), y + 7, Math.max(1, x(segment.from) - x(Math.max(segment.from - segment.wait, start))), 6);
        }
        context.fillStyle = '#0b5cad';
        context.fillRect(x(Math.max(segment.from, start)), y + 3, Math.max(1, x(to) - x(Math.max(segment.from, start))), 14);
        if (segment.release) {
          context.fillStyle = segment.release === 'forced' ? '#b3261e' : '#6b7280';
          context.fillRect(x(to) - 1, y, 3, 20);
        }
      }
      for (const probe of this.probes.filter((p) => p.lane === lane && p.at >= start)) {
        if (probe.wait > 0) {
          context.fillStyle = '#f0a500';
          context.fillRect(x(Math.max(probe.at - probe.wait, start)), y + 9, Math.max(1, x(probe.at) - x(Math.max(probe.at - probe.wait, start))), 2);
        }
        context.fillStyle = '#8a5a00';
        const px = x(probe.at);
        context.beginPath();
        context.moveTo(px, y + 3); context.lineTo(px + 5, y + 10); context.lineTo(px, y + 17); context.lineTo(px - 5, y + 10);
        context.fill();
      }
    });
    const holding = [...this.open.keys()].join(', ') || 'nobody';
    this.legend.textContent = `${lanes.length} threads seen; holding now: ${holding}` +
      (this.missed ? `; ${this.missed} events came faster than they could be shown and were skipped` : '');
    this.canvas.dataset.lanes = String(lanes.length);
  }
}

function byNumber(a, b) {
  const n = (s) => Number((s.match(/(\d+)$/) || [0, 0])[1]);
  return a.replace(/\d+$/, '').localeCompare(b.replace(/\d+$/, '')) || n(a) - n(b);
}
