// Talking to the service: JSON in and out; an error answer is an RFC 9457 problem, thrown as ProblemError.

export class ProblemError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export async function call(method, path, body, headers = {}) {
  const response = await fetch(path, {
    method,
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok && response.status !== 202) {
    throw new ProblemError(response.status, data);
  }
  return { status: response.status, data };
}

export const get = (path) => call('GET', path).then((r) => r.data);

/** Submits a job and waits for it (the server caps the wait): the finished job. */
export async function runJob(job, wait = '60s') {
  let { data } = await call('POST', `/jobs?wait=${wait}`, job);
  while (!data.done) {
    data = (await call('GET', `/jobs/${data.id}/join?timeout=${wait}`)).data;
  }
  return data;
}

/** The equivalent curl command of a request, to copy. */
export function curl(method, path, body) {
  const data = body === undefined ? '' : ` -H 'Content-Type: application/json' -d '${JSON.stringify(body)}'`;
  return `curl -s -X${method} 'localhost:8080${path}'${data}`;
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

export const fmt = (value, digits = 1) =>
  value === null || value === undefined ? '–' : Number(value).toLocaleString('en', { maximumFractionDigits: digits });
