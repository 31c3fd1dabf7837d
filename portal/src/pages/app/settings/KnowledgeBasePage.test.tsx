import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { KnowledgeBasePage, percent } from './KnowledgeBasePage';

const hours = { id: 'kb1', question: 'What are your opening hours?', answer: '9 to 5, Monday to Friday.', keywords: ['hours', 'open'], updated_at: '2026-12-01T10:00:00Z' };

function server(items: unknown[], status = 200) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    if (status !== 200) return jsonResponse(status, { error: { code: 'not_found', message: 'No route.' } });
    if (url.startsWith('/api/v1/knowledge/search')) return jsonResponse(200, { items: [{ entry: hours, confidence: 0.734 }] });
    if (method === 'GET') return jsonResponse(200, { items });
    if (method === 'POST') return jsonResponse(201, { id: 'kb2', updated_at: '2026-12-02T10:00:00Z', keywords: [], ...JSON.parse(String(init.body)) });
    if (method === 'PATCH') return jsonResponse(200, { ...hours, ...JSON.parse(String(init.body)) });
    if (method === 'DELETE') return new Response(null, { status: 204 });
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('KnowledgeBasePage', () => {
  it('shows a confidence as a percentage', () => {
    expect(percent(0.734)).toBe('73%');
    expect(percent(1)).toBe('100%');
  });

  it('lists entries and tries a search, showing the confidence; agents only read', async () => {
    const fn = server([hours]);
    renderPage(<KnowledgeBasePage />, { session: fakeSession({ me: fakeMe(['conversations:read_assigned']) }) });
    const row = await screen.findByTestId('kb-row');
    expect(row.textContent).toContain('What are your opening hours?');
    expect(row.textContent).toContain('hours, open');
    expect(within(row).queryByRole('button', { name: /Edit/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'New entry' })).toBeNull();
    fireEvent.change(screen.getByLabelText('Try it'), { target: { value: 'when are you open' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    const match = await screen.findByTestId('kb-match');
    expect(match.textContent).toContain('confidence 73%');
    expect(fn.mock.calls.some(([u]) => u === '/api/v1/knowledge/search?q=when%20are%20you%20open')).toBe(true);
  });

  it('creates an entry with keywords split by commas', async () => {
    const fn = server([]);
    renderPage(<KnowledgeBasePage />, { session: fakeSession({ me: fakeMe(['settings:manage']) }) });
    fireEvent.click(await screen.findByRole('button', { name: 'New entry' }));
    const dialog = screen.getByRole('dialog', { name: 'New entry' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect((await within(dialog).findAllByRole('alert')).length).toBeGreaterThan(0);
    fireEvent.change(within(dialog).getByLabelText('Question'), { target: { value: 'Do you ship abroad?' } });
    fireEvent.change(within(dialog).getByLabelText('Answer'), { target: { value: 'Yes, to the EU.' } });
    fireEvent.change(within(dialog).getByLabelText('Keywords (optional)'), { target: { value: 'shipping, envío , ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(fn.mock.calls.some(([, i]) => i?.method === 'POST')).toBe(true));
    const post = fn.mock.calls.find(([, i]) => i?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toEqual({ question: 'Do you ship abroad?', answer: 'Yes, to the EU.', keywords: ['shipping', 'envío'] });
    expect(await screen.findByTestId('kb-row')).toBeTruthy();
  });

  it('says so when the server has no knowledge base', async () => {
    server([], 404);
    renderPage(<KnowledgeBasePage />, { session: fakeSession({ me: fakeMe(['settings:manage']) }) });
    expect(await screen.findByText("This server doesn't offer a knowledge base yet.")).toBeTruthy();
  });
});
