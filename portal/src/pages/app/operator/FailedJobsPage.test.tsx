import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { FailedJobsPage, shortId } from './FailedJobsPage';

const job = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  tenant_id: '7d9f3c2a-1111-4222-8333-944445555666',
  job_type: 'send_message',
  state: 'dead',
  attempts: 5,
  max_attempts: 5,
  last_error: 'meta: (#131047) Re-engagement message',
  run_at: '2026-03-02T10:05:00Z',
  created_at: '2026-03-02T10:00:00Z',
  ...over,
});

function server(opts: { list?: (url: URL) => Response; retry?: (id: string) => Response } = {}) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/operator/jobs' && method === 'GET') {
      return opts.list
        ? opts.list(u)
        : jsonResponse(200, { items: [job('aaaaaaaa-0000-4000-8000-000000000001'), job('bbbbbbbb-0000-4000-8000-000000000002', { job_type: 'fetch_media', tenant_id: null, last_error: null, attempts: 3 })], total: 2 });
    }
    const m = u.pathname.match(/^\/api\/v1\/operator\/jobs\/([^/]+)\/retry$/);
    if (m && method === 'POST') return opts.retry ? opts.retry(m[1]) : jsonResponse(200, job(m[1], { state: 'queued', attempts: 0 }));
    return jsonResponse(404, { error: { code: 'not_found', message: u.pathname } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const session = () => fakeSession({ me: fakeMe(['conversations:reply']) });

describe('FailedJobsPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shortens ids to their first block', () => {
    expect(shortId('7d9f3c2a-1111-4222-8333-944445555666')).toBe('7d9f3c2a');
  });

  it('lists dead jobs with type, short business id, attempts, the last error in monospace, times and the total', async () => {
    const fn = server();
    renderPage(<FailedJobsPage />, { session: session() });
    const rows = await screen.findAllByTestId('job-row');
    expect(rows).toHaveLength(2);
    expect(new URL(String(fn.mock.calls[0][0]), 'http://x').search).toBe('');
    expect(within(rows[0]).getByText('send_message')).toBeTruthy();
    const business = within(rows[0]).getByTestId('job-business');
    expect(business.textContent).toBe('7d9f3c2a');
    expect(business.getAttribute('title')).toBe('7d9f3c2a-1111-4222-8333-944445555666');
    expect(within(rows[0]).getByText('5 of 5')).toBeTruthy();
    const error = within(rows[0]).getByTestId('job-error');
    expect(error.tagName).toBe('CODE');
    expect(error.textContent).toBe('meta: (#131047) Re-engagement message');
    expect(rows[0].textContent).toContain('Created ');
    expect(rows[0].textContent).toContain('Ran ');
    expect(within(rows[1]).getByText('Platform')).toBeTruthy();
    expect(within(rows[1]).getByText('No error recorded')).toBeTruthy();
    expect(screen.getByTestId('operator-total').textContent).toBe('2 dead jobs');
  });

  it('filters by job type with ?job_type=', async () => {
    const fn = server({
      list: (u) =>
        u.searchParams.get('job_type') === 'fetch_media'
          ? jsonResponse(200, { items: [], total: 0 })
          : jsonResponse(200, { items: [job('aaaaaaaa-0000-4000-8000-000000000001')], total: 140 }),
    });
    renderPage(<FailedJobsPage />, { session: session() });
    await screen.findAllByTestId('job-row');
    expect(screen.getByTestId('operator-total').textContent).toBe('140 dead jobs · showing the newest 1');
    fireEvent.change(screen.getByLabelText('Job type'), { target: { value: ' fetch_media ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    expect(await screen.findByText('No failed jobs of this type.')).toBeTruthy();
    expect(String(fn.mock.calls.at(-1)![0])).toBe('/api/v1/operator/jobs?job_type=fetch_media');
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await screen.findAllByTestId('job-row');
    expect(String(fn.mock.calls.at(-1)![0])).toBe('/api/v1/operator/jobs');
  });

  it('retries a job: POST …/retry, the row goes, the total drops, a toast', async () => {
    const fn = server();
    renderPage(<FailedJobsPage />, { session: session() });
    await screen.findAllByTestId('job-row');
    fireEvent.click(screen.getByRole('button', { name: 'Retry send_message job aaaaaaaa' }));
    expect(await screen.findByText('Job aaaaaaaa queued again.')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(1));
    const post = fn.mock.calls.find(([, init]) => init?.method === 'POST')!;
    expect(post[0]).toBe('/api/v1/operator/jobs/aaaaaaaa-0000-4000-8000-000000000001/retry');
    expect(screen.getByTestId('operator-total').textContent).toBe('1 dead job');
  });

  it('a job that is no longer dead (404) leaves the list with a message', async () => {
    server({ retry: () => jsonResponse(404, { error: { code: 'not_found', message: 'No such dead job.' } }) });
    renderPage(<FailedJobsPage />, { session: session() });
    await screen.findAllByTestId('job-row');
    fireEvent.click(screen.getByRole('button', { name: 'Retry fetch_media job bbbbbbbb' }));
    expect(await screen.findByText('That job is no longer dead (someone may have retried it already).')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(1));
  });

  it('shows the platform-operators-only state on 403 and nothing else', async () => {
    server({ list: () => jsonResponse(403, { error: { code: 'forbidden', message: 'Platform operators only.' } }) });
    renderPage(<FailedJobsPage />, { session: session() });
    const state = await screen.findByTestId('operator-forbidden');
    expect(state.textContent).toContain('Only platform operators can see this page');
    expect(screen.queryByLabelText('Job type')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });
});
