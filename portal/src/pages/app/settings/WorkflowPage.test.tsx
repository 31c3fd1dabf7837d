import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../../i18n';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { messageLength, WorkflowPage } from './WorkflowPage';

const defaults = { window_warning_minutes: 60, auto_resolve_after_hours: null, auto_resolve_message: null };

function server(opts: { get?: unknown; put?: (body: Record<string, unknown>) => Response } = {}) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = new URL(url, 'http://x').pathname;
    if (path === '/api/v1/settings/workflow' && method === 'GET') return jsonResponse(200, opts.get ?? defaults);
    if (path === '/api/v1/settings/workflow' && method === 'PUT') {
      const body = JSON.parse(String(init.body));
      return opts.put ? opts.put(body) : jsonResponse(200, body);
    }
    return jsonResponse(404, { error: { code: 'not_found', message: path } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const admin = () => fakeSession({ me: fakeMe(['settings:manage']) });
const puts = (fn: ReturnType<typeof server>) => fn.mock.calls.filter(([, init]) => init?.method === 'PUT').map(([, init]) => JSON.parse(String(init!.body)));
const save = () => fireEvent.click(screen.getByRole('button', { name: 'Save workflow settings' }));

describe('WorkflowPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    void i18n.changeLanguage('en');
  });

  it('counts characters as the server does (trimmed, code points)', () => {
    expect(messageLength('  hola  ')).toBe(4);
    expect(messageLength('👋🏽 hi')).toBe(5);
  });

  it('needs settings:manage and asks nothing of the server without it', async () => {
    const fn = server();
    renderPage(<WorkflowPage />, { session: fakeSession({ me: fakeMe(['conversations:reply', 'reports:view']) }) });
    expect(screen.queryByRole('button', { name: 'Save workflow settings' })).toBeNull();
    expect(screen.queryByText('Window warning')).toBeNull();
    expect(fn).not.toHaveBeenCalled();
  });

  it('loads the defaults: warning on at 60 minutes, auto-resolve off; explains both', async () => {
    server();
    renderPage(<WorkflowPage />, { session: admin() });
    const warning = await screen.findByTestId('workflow-warning');
    expect(within(warning).getByLabelText('Warn the assignee before the window closes')).toHaveProperty('checked', true);
    expect(within(warning).getByLabelText('Minutes before the window closes')).toHaveProperty('value', '60');
    expect(warning.textContent).toContain('waits for our reply');
    expect(warning.textContent).toContain('only approved templates can be sent');
    const auto = screen.getByTestId('workflow-auto');
    expect(within(auto).getByLabelText('Resolve conversations after the customer goes quiet')).toHaveProperty('checked', false);
    expect(within(auto).queryByLabelText('Hours of customer silence after our reply')).toBeNull();
    expect(screen.getByTestId('auto-resolve-note').textContent).toBe('Conversations still waiting for our reply are never auto-resolved.');
  });

  it('saves the exact JSON: auto-resolve on with a trimmed closing message, then everything off as nulls', async () => {
    const fn = server();
    renderPage(<WorkflowPage />, { session: admin() });
    await screen.findByTestId('workflow-warning');
    fireEvent.change(screen.getByLabelText('Minutes before the window closes'), { target: { value: '90' } });
    fireEvent.click(screen.getByLabelText('Resolve conversations after the customer goes quiet'));
    expect(screen.getByLabelText('Hours of customer silence after our reply')).toHaveProperty('value', '24');
    fireEvent.change(screen.getByLabelText('Hours of customer silence after our reply'), { target: { value: '48' } });
    fireEvent.change(screen.getByLabelText('Closing message (optional)'), { target: { value: '  Thanks, we are closing this chat.  ' } });
    expect(screen.getByTestId('message-count').textContent).toBe('33 / 1024');
    expect(screen.getByText(/only while the 24-hour window is still open/)).toBeTruthy();
    save();
    await waitFor(() => expect(puts(fn)).toHaveLength(1));
    expect(puts(fn)[0]).toEqual({ window_warning_minutes: 90, auto_resolve_after_hours: 48, auto_resolve_message: 'Thanks, we are closing this chat.' });
    expect(await screen.findByText('Workflow settings saved.')).toBeTruthy();

    fireEvent.click(screen.getByLabelText('Warn the assignee before the window closes'));
    fireEvent.click(screen.getByLabelText('Resolve conversations after the customer goes quiet'));
    save();
    await waitFor(() => expect(puts(fn)).toHaveLength(2));
    expect(puts(fn)[1]).toEqual({ window_warning_minutes: null, auto_resolve_after_hours: null, auto_resolve_message: null });
  });

  it('an empty closing message is saved as null', async () => {
    const fn = server({ get: { window_warning_minutes: null, auto_resolve_after_hours: 12, auto_resolve_message: 'Bye!' } });
    renderPage(<WorkflowPage />, { session: admin() });
    expect(await screen.findByLabelText('Closing message (optional)')).toHaveProperty('value', 'Bye!');
    expect(screen.getByLabelText('Warn the assignee before the window closes')).toHaveProperty('checked', false);
    fireEvent.change(screen.getByLabelText('Closing message (optional)'), { target: { value: '   ' } });
    save();
    await waitFor(() => expect(puts(fn)).toHaveLength(1));
    expect(puts(fn)[0]).toEqual({ window_warning_minutes: null, auto_resolve_after_hours: 12, auto_resolve_message: null });
  });

  it('checks the ranges and the message length before sending', async () => {
    const fn = server({ get: { window_warning_minutes: 60, auto_resolve_after_hours: 24, auto_resolve_message: null } });
    renderPage(<WorkflowPage />, { session: admin() });
    await screen.findByTestId('workflow-warning');
    fireEvent.change(screen.getByLabelText('Minutes before the window closes'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Hours of customer silence after our reply'), { target: { value: '0' } });
    fireEvent.change(screen.getByLabelText('Closing message (optional)'), { target: { value: 'x'.repeat(1025) } });
    expect(screen.getByTestId('message-count').className).toContain('workflow-count-over');
    save();
    expect(await screen.findByText('Between 5 and 720 minutes.')).toBeTruthy();
    expect(screen.getByText('Between 1 and 720 hours.')).toBeTruthy();
    expect(screen.getByText('At most 1024 characters.')).toBeTruthy();
    expect(puts(fn)).toHaveLength(0);
  });

  it('shows the server’s 422 field error next to its field', async () => {
    server({
      put: () =>
        jsonResponse(422, {
          error: { code: 'validation_failed', message: 'Check the fields.', fields: { auto_resolve_after_hours: 'Auto-resolve after 1 to 720 hours of silence, or never (null).' } },
        }),
    });
    renderPage(<WorkflowPage />, { session: admin() });
    await screen.findByTestId('workflow-warning');
    fireEvent.click(screen.getByLabelText('Resolve conversations after the customer goes quiet'));
    save();
    const error = await screen.findByText('Auto-resolve after 1 to 720 hours of silence, or never (null).');
    const input = screen.getByLabelText('Hours of customer silence after our reply');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(error.closest('.field')).toBe(input.closest('.field'));
    expect(screen.queryByText('Workflow settings saved.')).toBeNull();
  });

  it('speaks Spanish', async () => {
    server();
    await i18n.changeLanguage('es');
    renderPage(<WorkflowPage />, { session: admin() });
    expect(await screen.findByText('Aviso de ventana')).toBeTruthy();
    expect(screen.getByText('Resolución automática')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Guardar el flujo' })).toBeTruthy();
  });
});

describe('Opt-out keywords card', () => {
  afterEach(() => vi.unstubAllGlobals());

  function kwServer(opts: { keywords?: string[]; put?: (body: { keywords: string[] | null }) => Response } = {}) {
    const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? 'GET';
      const path = new URL(url, 'http://x').pathname;
      if (path === '/api/v1/settings/workflow') return jsonResponse(200, method === 'PUT' ? JSON.parse(String(init.body)) : defaults);
      if (path === '/api/v1/settings/opt-out-keywords' && method === 'GET') return jsonResponse(200, { keywords: opts.keywords ?? ['STOP', 'BAJA', 'CANCELAR', 'UNSUBSCRIBE'] });
      if (path === '/api/v1/settings/opt-out-keywords' && method === 'PUT') {
        const body = JSON.parse(String(init.body));
        if (opts.put) return opts.put(body);
        return jsonResponse(200, { keywords: body.keywords ?? ['STOP', 'BAJA', 'CANCELAR', 'UNSUBSCRIBE'] });
      }
      return jsonResponse(404, { error: { code: 'not_found', message: path } });
    });
    vi.stubGlobal('fetch', fn);
    return fn;
  }
  const kwPuts = (fn: ReturnType<typeof kwServer>) =>
    fn.mock.calls.filter(([url, init]) => init?.method === 'PUT' && String(url).includes('opt-out-keywords')).map(([, init]) => JSON.parse(String(init!.body)));
  const chips = () => screen.queryAllByTestId('keyword-chip').map((c) => c.textContent);

  it('lists the keywords as chips; add, remove and save the exact list on its own', async () => {
    const fn = kwServer();
    renderPage(<WorkflowPage />, { session: admin() });
    await screen.findByTestId('workflow-keywords');
    await waitFor(() => expect(chips()).toEqual(['STOP', 'BAJA', 'CANCELAR', 'UNSUBSCRIBE']));
    fireEvent.click(screen.getByRole('button', { name: 'Remove UNSUBSCRIBE' }));
    fireEvent.change(screen.getByLabelText('New keyword'), { target: { value: ' PARAR ' } });
    fireEvent.keyDown(screen.getByLabelText('New keyword'), { key: 'Enter' });
    expect(chips()).toEqual(['STOP', 'BAJA', 'CANCELAR', 'PARAR']);
    expect(screen.getByText('Unsaved changes.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save keywords' }));
    await waitFor(() => expect(kwPuts(fn)).toHaveLength(1));
    expect(kwPuts(fn)[0]).toEqual({ keywords: ['STOP', 'BAJA', 'CANCELAR', 'PARAR'] });
    expect(await screen.findByText('Opt-out keywords saved.')).toBeTruthy();
    // The workflow settings were not sent.
    expect(puts(fn).filter((b) => 'window_warning_minutes' in b)).toHaveLength(0);
  });

  it('a word still in the box is added on save', async () => {
    const fn = kwServer({ keywords: ['STOP'] });
    renderPage(<WorkflowPage />, { session: admin() });
    await waitFor(() => expect(chips()).toEqual(['STOP']));
    fireEvent.change(screen.getByLabelText('New keyword'), { target: { value: 'alto' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save keywords' }));
    await waitFor(() => expect(kwPuts(fn)).toHaveLength(1));
    expect(kwPuts(fn)[0]).toEqual({ keywords: ['STOP', 'alto'] });
  });

  it('checks a new word before adding it (duplicates by case and accents, a letter or digit, length)', async () => {
    const fn = kwServer({ keywords: ['CANCELAR'] });
    renderPage(<WorkflowPage />, { session: admin() });
    await waitFor(() => expect(chips()).toEqual(['CANCELAR']));
    const box = screen.getByLabelText('New keyword');
    fireEvent.change(box, { target: { value: 'cancelár' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByText('“cancelár” is already in the list.')).toBeTruthy();
    fireEvent.change(box, { target: { value: '!!!' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByText('A keyword needs a letter or a digit.')).toBeTruthy();
    fireEvent.change(box, { target: { value: 'x'.repeat(31) } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect(screen.getByText('At most 30 characters.')).toBeTruthy();
    expect(chips()).toEqual(['CANCELAR']);
    expect(kwPuts(fn)).toHaveLength(0);
  });

  it('Restore defaults sends null; Turn off sends []', async () => {
    const fn = kwServer({ keywords: ['ALTO'] });
    renderPage(<WorkflowPage />, { session: admin() });
    await waitFor(() => expect(chips()).toEqual(['ALTO']));
    fireEvent.click(screen.getByRole('button', { name: 'Restore defaults' }));
    await waitFor(() => expect(kwPuts(fn)).toHaveLength(1));
    expect(kwPuts(fn)[0]).toEqual({ keywords: null });
    expect(await screen.findByText('Default opt-out keywords restored.')).toBeTruthy();
    await waitFor(() => expect(chips()).toEqual(['STOP', 'BAJA', 'CANCELAR', 'UNSUBSCRIBE']));

    fireEvent.click(screen.getByRole('button', { name: 'Turn off' }));
    await waitFor(() => expect(kwPuts(fn)).toHaveLength(2));
    expect(kwPuts(fn)[1]).toEqual({ keywords: [] });
    expect(await screen.findByText('Keyword opt-outs turned off.')).toBeTruthy();
    expect(screen.getByTestId('keywords-empty').textContent).toBe('Keyword opt-outs are off.');
    expect(screen.getByRole('button', { name: 'Turn off' })).toHaveProperty('disabled', true);
  });

  it('shows the server’s 422 error.fields.keywords inline', async () => {
    kwServer({
      put: () => jsonResponse(422, { error: { code: 'validation_failed', message: 'Check the fields.', fields: { keywords: 'At most 20 opt-out keywords.' } } }),
    });
    renderPage(<WorkflowPage />, { session: admin() });
    await waitFor(() => expect(chips()).toHaveLength(4));
    fireEvent.click(screen.getByRole('button', { name: 'Save keywords' }));
    const error = await screen.findByTestId('keywords-error');
    expect(error.textContent).toBe('At most 20 opt-out keywords.');
    expect(error.getAttribute('role')).toBe('alert');
    expect(chips()).toHaveLength(4);
  });

  it('is left out by a server without the endpoint', async () => {
    server();
    renderPage(<WorkflowPage />, { session: admin() });
    await screen.findByTestId('workflow-warning');
    await new Promise((r) => setTimeout(r, 10));
    expect(screen.queryByTestId('workflow-keywords')).toBeNull();
  });
});
