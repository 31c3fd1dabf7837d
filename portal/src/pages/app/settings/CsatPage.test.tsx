import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { CsatPage } from './CsatPage';

const template = (id: string, name: string, status = 'APPROVED') => ({
  id,
  waba_id: 'w',
  name,
  language: 'en',
  status,
  category: 'UTILITY',
  parameter_format: 'positional',
  components: [],
  variables: {},
  rejected_reason: null,
  updated_at: '2026-11-22T10:00:00Z',
});

function server(opts: { get?: unknown; put?: (body: Record<string, unknown>) => Response } = {}) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/settings/csat' && method === 'GET') return jsonResponse(200, opts.get ?? { enabled: false, question: null, template_id: null });
    if (u.pathname === '/api/v1/settings/csat' && method === 'PUT') {
      const body = JSON.parse(String(init.body));
      return opts.put ? opts.put(body) : jsonResponse(200, body);
    }
    if (u.pathname === '/api/v1/templates') {
      return jsonResponse(200, { items: [template('tp1', 'rate_us'), template('tp2', 'draft_one', 'PENDING')], next_cursor: null });
    }
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const admin = () => fakeSession({ me: fakeMe(['settings:manage']) });
const puts = (fn: ReturnType<typeof server>) => fn.mock.calls.filter(([, init]) => init?.method === 'PUT').map(([, init]) => JSON.parse(String(init!.body)));
const save = () => fireEvent.click(screen.getByRole('button', { name: 'Save survey settings' }));

describe('CsatPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('needs settings:manage', () => {
    const fn = server();
    renderPage(<CsatPage />, { session: fakeSession({ me: fakeMe(['reports:view']) }) });
    expect(screen.queryByRole('button', { name: 'Save survey settings' })).toBeNull();
    expect(fn).not.toHaveBeenCalled();
  });

  it('shows the default question as a placeholder, approved templates only, and saves the exact JSON', async () => {
    const fn = server();
    renderPage(<CsatPage />, { session: admin() });
    const toggle = await screen.findByLabelText('Ask for a rating when a conversation is resolved');
    expect(toggle).toHaveProperty('checked', false);
    const question = screen.getByLabelText('Question');
    expect(question.getAttribute('placeholder')).toBe('How would you rate the help you got?');
    expect(screen.getByText('Used when the 24-hour window has closed; without one, no survey is sent then.')).toBeTruthy();
    expect(fn.mock.calls.some(([u]) => String(u) === '/api/v1/templates?status=APPROVED')).toBe(true);
    await screen.findByRole('option', { name: 'rate_us · en · utility' });
    expect(screen.queryByRole('option', { name: /draft_one/ })).toBeNull();

    fireEvent.click(toggle);
    fireEvent.change(question, { target: { value: '  How did we do?  ' } });
    fireEvent.change(screen.getByLabelText('Template after the 24-hour window'), { target: { value: 'tp1' } });
    save();
    await waitFor(() => expect(puts(fn)).toHaveLength(1));
    expect(puts(fn)[0]).toEqual({ enabled: true, question: 'How did we do?', template_id: 'tp1' });
    expect(await screen.findByText('Survey settings saved.')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Question'), { target: { value: '   ' } });
    fireEvent.change(screen.getByLabelText('Template after the 24-hour window'), { target: { value: '' } });
    save();
    await waitFor(() => expect(puts(fn)).toHaveLength(2));
    expect(puts(fn)[1]).toEqual({ enabled: true, question: null, template_id: null });
  });

  it('loads saved settings', async () => {
    server({ get: { enabled: true, question: 'Rate us!', template_id: 'tp1' } });
    renderPage(<CsatPage />, { session: admin() });
    expect(await screen.findByLabelText('Ask for a rating when a conversation is resolved')).toHaveProperty('checked', true);
    expect(screen.getByLabelText('Question')).toHaveProperty('value', 'Rate us!');
    await screen.findByRole('option', { name: 'rate_us · en · utility' });
    expect(screen.getByLabelText('Template after the 24-hour window')).toHaveProperty('value', 'tp1');
  });

  it('shows the server’s 422 errors at their fields', async () => {
    const fn = server({
      put: () =>
        jsonResponse(422, {
          error: { code: 'validation_failed', message: 'Check the fields.', fields: { template_id: 'Choose an approved template.', question: 'The question has at most 1,024 characters.' } },
        }),
    });
    renderPage(<CsatPage />, { session: admin() });
    await screen.findByRole('option', { name: 'rate_us · en · utility' });
    fireEvent.change(screen.getByLabelText('Template after the 24-hour window'), { target: { value: 'tp1' } });
    save();
    const error = await screen.findByText('Choose an approved template.');
    expect(error.className).toBe('field-error');
    expect(screen.getByLabelText('Template after the 24-hour window').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('The question has at most 1,024 characters.').className).toBe('field-error');
    expect(puts(fn)).toHaveLength(1);
  });

  it('refuses an overlong question before sending', async () => {
    const fn = server();
    renderPage(<CsatPage />, { session: admin() });
    fireEvent.change(await screen.findByLabelText('Question'), { target: { value: 'x'.repeat(1025) } });
    save();
    expect(await screen.findByText('At most 1024 characters.')).toBeTruthy();
    expect(puts(fn)).toHaveLength(0);
  });
});
