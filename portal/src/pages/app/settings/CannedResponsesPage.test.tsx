import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { CannedResponsesPage } from './CannedResponsesPage';

const shared = { id: 'cr1', shortcut: 'hello', title: 'Greeting', body: 'Hi {{contact.name}}!', shared: true, owner_id: null };
const mine = { id: 'cr2', shortcut: 'bye', title: null, body: 'Bye!', shared: false, owner_id: 'm1' };

function server(items: unknown[], status = 200) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    if (status !== 200) return jsonResponse(status, { error: { code: 'not_found', message: 'No route.' } });
    if (method === 'GET') return jsonResponse(200, { items });
    if (method === 'POST') return jsonResponse(201, { id: 'cr3', owner_id: 'm1', title: null, ...JSON.parse(String(init.body)) });
    if (method === 'PATCH') return jsonResponse(200, { ...mine, ...JSON.parse(String(init.body)) });
    if (method === 'DELETE') return new Response(null, { status: 204 });
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('CannedResponsesPage', () => {
  it('lists shared and personal ones; an agent edits only their own and cannot share', async () => {
    const fn = server([mine, shared]);
    renderPage(<CannedResponsesPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    const rows = await screen.findAllByTestId('canned-row');
    expect(rows[0].textContent).toContain('/hello');
    expect(rows[0].textContent).toContain('Shared with the team');
    expect(within(rows[0]).queryByRole('button', { name: /Edit/ })).toBeNull();
    expect(rows[1].textContent).toContain('Only me');
    fireEvent.click(within(rows[1]).getByRole('button', { name: 'Edit /bye' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit canned response' });
    expect((within(dialog).getByLabelText('Shared with the team') as HTMLInputElement).disabled).toBe(true);
    fireEvent.change(within(dialog).getByLabelText('Text'), { target: { value: 'See you soon!' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fn.mock.calls.some(([u, i]) => u === '/api/v1/canned-responses/cr2' && i?.method === 'PATCH')).toBe(true));
    const patch = fn.mock.calls.find(([, i]) => i?.method === 'PATCH')!;
    expect(JSON.parse(String(patch[1]!.body))).toEqual({ shortcut: 'bye', body: 'See you soon!', shared: false });
  });

  it('creates a shared one with canned:manage, checking the shortcut first', async () => {
    const fn = server([]);
    renderPage(<CannedResponsesPage />, { session: fakeSession({ me: fakeMe(['conversations:reply', 'canned:manage']) }) });
    fireEvent.click(await screen.findByRole('button', { name: 'New canned response' }));
    const dialog = screen.getByRole('dialog', { name: 'New canned response' });
    fireEvent.change(within(dialog).getByLabelText('Shortcut'), { target: { value: 'Hello There!' } });
    fireEvent.change(within(dialog).getByLabelText('Text'), { target: { value: 'Hi {{contact.name}}' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('Use 1 to 32 lowercase letters, digits, - or _.')).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText('Shortcut'), { target: { value: 'hello' } });
    fireEvent.click(within(dialog).getByLabelText('Shared with the team'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(fn.mock.calls.some(([, i]) => i?.method === 'POST')).toBe(true));
    const post = fn.mock.calls.find(([, i]) => i?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toEqual({ shortcut: 'hello', body: 'Hi {{contact.name}}', shared: true });
    expect(await screen.findByTestId('canned-row')).toBeTruthy();
  });

  it('says so when the server has no canned responses', async () => {
    server([], 404);
    renderPage(<CannedResponsesPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(await screen.findByText("This server doesn't offer canned responses yet.")).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New canned response' })).toBeNull();
  });
});
