// Following a background job from a page (docs/jobs.md): ask GET /api/v1/jobs/{id} until the job
// ends and show its progress as a bar with a line of text. The billing run and the render of
// payment documents both use it (web/billing.js, web/paydoc_staff.js); each names what it counts.
// Server data goes into the page as text only (see dom.js).
import { request } from './api.js';
import { h, formatCount } from './dom.js';

export const POLL_MS = 400; // a followed job is asked this often
export const JOB_ENDS = ['done', 'dead', 'cancelled'];
const NBSP = '\u00a0';

/**
 * Asks the job until it ends: onJob(job) after every answer. alive() is asked after every await:
 * once it is false (the page moved on) nothing more happens and the answer is {stale: true}.
 * Resolves to {job} (the last answer, ended) or {job, error} when a request failed (job: the last
 * answer before, or null); never rejects.
 */
export async function followJob(jobId, jobUrl, { alive, onJob, pollMs = POLL_MS }) {
  const path = String(jobUrl || `/api/v1/jobs/${jobId}`).replace(/^\/api\/v1/, '');
  let job = null;
  for (;;) {
    let next;
    try {
      next = await request('GET', path);
    } catch (error) {
      return alive() ? { job, error } : { stale: true };
    }
    if (!alive()) return { stale: true };
    job = next;
    onJob(job);
    if (JOB_ENDS.includes(job.state)) return { job };
    await new Promise((resolve) => { setTimeout(resolve, pollMs); });
    if (!alive()) return { stale: true };
  }
}

/**
 * Fills `container` with a job's progress: a title, a <progress> bar, a line of text and a note
 * (a failed attempt's error). Test ids are `${prefix}-bar`, `${prefix}-text`, `${prefix}-note`;
 * the container's data-state and data-percent follow the job. `words` names what is counted:
 * {unit: 'документов', counted: 'Сформировано', started: 'Формирование начато…',
 * dead: 'Документы не сформированы', cancelled: 'Формирование отменено'}.
 * Returns {update(job), note(text), end()}.
 */
export function jobProgress(container, { prefix, title, jobId, words }) {
  const bar = h('progress', { max: 1, value: 0, 'aria-labelledby': `${prefix}-text`, 'data-testid': `${prefix}-bar` });
  const label = h('span', { class: 'run-progress-text', id: `${prefix}-text`, 'data-testid': `${prefix}-text` },
    `Задание № ${jobId} поставлено в очередь…`);
  const note = h('p', { class: 'muted run-progress-note', 'data-testid': `${prefix}-note` });
  container.replaceChildren(h('div', { class: 'run-progress-head' }, h('strong', {}, title), label), bar, note);
  container.hidden = false;
  container.dataset.state = 'queued';
  container.dataset.percent = '0';
  container.setAttribute('aria-busy', 'true');

  function update(job) {
    const p = job.progress;
    const total = p && Number.isFinite(p.total) ? Math.max(0, p.total) : 0;
    const done = p && Number.isFinite(p.done) ? Math.min(Math.max(0, p.done), total) : 0;
    let percent = total > 0 ? Math.floor((done * 100) / total) : 0;
    if (job.state === 'done') {
      percent = 100;
      bar.max = total > 0 ? total : 1;
      bar.value = bar.max;
      label.textContent = total > 0
        ? `Готово: ${formatCount(total)} из ${formatCount(total)} ${words.unit} · 100${NBSP}%`
        : `Готово · 100${NBSP}%`;
    } else if (job.state === 'running' && total > 0) {
      bar.max = total;
      bar.value = done;
      label.textContent = `${words.counted} ${formatCount(done)} из ${formatCount(total)} ${words.unit} · ${percent}${NBSP}%`;
    } else if (job.state === 'running') {
      bar.removeAttribute('value'); // indeterminate until the job counts its work
      label.textContent = words.started;
    } else if (job.state === 'queued') {
      label.textContent = job.attempts > 0 ? `Повторная попытка (${job.attempts} из ${job.max_attempts})…` : `Задание № ${job.id} в очереди…`;
    } else {
      label.textContent = job.state === 'dead' ? words.dead : words.cancelled;
    }
    note.textContent = job.last_error && !JOB_ENDS.includes(job.state) ? `Прошлая попытка: ${job.last_error}` : '';
    container.dataset.state = job.state;
    container.dataset.percent = String(percent);
  }

  return {
    update,
    note(message) { note.textContent = message; },
    end() { container.setAttribute('aria-busy', 'false'); },
  };
}
