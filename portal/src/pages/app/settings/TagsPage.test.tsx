import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { TagsPage } from './TagsPage';

const vip = { id: 'tag1', name: 'VIP', colour: '#dc2626', created_at: '2025-01-02T03:04:05Z' };

describe('TagsPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists tags but hides every change for people without tags:manage', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { items: [vip], next_cursor: null })));
    renderPage(<TagsPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(await screen.findByText('VIP')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New tag' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Delete/ })).toBeNull();
  });

  it('creates a tag and shows a duplicate name inline', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) => {
      if (init.method === 'GET') return jsonResponse(200, { items: [vip], next_cursor: null });
      const body = JSON.parse(String(init.body));
      if (body.name.toLowerCase() === 'vip') {
        return jsonResponse(409, { error: { code: 'tag_exists', message: 'Exists.' } });
      }
      return jsonResponse(201, { id: 'tag2', created_at: '2025-01-03T00:00:00Z', ...body });
    });
    vi.stubGlobal('fetch', fetchMock);
    renderPage(<TagsPage />, { session: fakeSession({ me: fakeMe(['tags:manage']) }) });
    await screen.findByText('VIP');

    fireEvent.click(screen.getByRole('button', { name: 'New tag' }));
    const dialog = screen.getByRole('dialog', { name: 'New tag' });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'vip' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('A tag with this name already exists.')).toBeTruthy();

    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'Lead' } });
    fireEvent.click(within(dialog).getByRole('radio', { name: '#2563eb' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getAllByTestId('tag-row').map((r) => r.textContent)).toEqual([
      expect.stringContaining('Lead'),
      expect.stringContaining('VIP'),
    ]);
    const post = fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST').pop()!;
    expect(post[0]).toBe('/api/v1/tags');
    expect(JSON.parse(String(post[1]!.body))).toEqual({ name: 'Lead', colour: '#2563eb' });
  });
});
