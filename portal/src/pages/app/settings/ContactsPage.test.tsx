import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeMe, fakeSession, jsonResponse, renderPage, renderRoutes } from '../../../test/render';
import { stubXhr } from '../../../test/xhr';
import { attributeValue, ContactsPage } from './ContactsPage';

const DIRECTORY = ['contacts:manage', 'conversations:read_all'];

const carla = {
  id: 'k1',
  wa_id: '34600111222',
  bsuid: null,
  name: 'Carla',
  custom_name: 'Carla',
  profile_name: 'Carla G',
  email: 'carla@example.com',
  notes: null,
  attributes: { plan: 'gold', seats: 3 },
  opt_in: { state: 'opted_in', changed_at: '2026-12-01T10:00:00Z', source: 'agent' },
  blocked: false,
  blocked_at: null,
  blocked_by: null,
  tags: [],
  conversations: [{ id: 'c1', number_id: 'n1', status: 'open', opened_at: '2026-12-01T10:00:00Z', resolved_at: null, last_message_preview: 'hola' }],
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
};
const dup = { id: 'k2', wa_id: '34600111333', bsuid: null, name: 'carla', profile_name: null, email: null, opt_in: 'unknown', blocked: false, tags: [], created_at: '2026-12-01T11:00:00Z' };
const summary = { id: 'k1', wa_id: '34600111222', bsuid: null, name: 'Carla', profile_name: 'Carla G', email: 'carla@example.com', opt_in: 'opted_in', blocked: false, tags: [], created_at: '2026-12-01T10:00:00Z' };

function server(overrides: Record<string, (init: RequestInit) => Response> = {}) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const key = `${method} ${url.split('?')[0]}`;
    if (overrides[key]) return overrides[key](init);
    if (key === 'GET /api/v1/contacts') return jsonResponse(200, { items: url.includes('q=nobody') ? [] : [summary], next_cursor: null });
    if (key === 'GET /api/v1/contacts/k1') return jsonResponse(200, carla);
    if (key === 'GET /api/v1/contacts/k1/duplicates') return jsonResponse(200, { items: [dup] });
    if (key === 'PATCH /api/v1/contacts/k1') return jsonResponse(200, { ...carla, ...JSON.parse(String(init.body)), opt_in: carla.opt_in });
    if (key === 'POST /api/v1/contacts/k1/block') return jsonResponse(200, { ...carla, blocked: true, blocked_at: '2026-12-02T10:00:00Z' });
    if (key === 'POST /api/v1/contacts/k1/merge') return jsonResponse(200, carla);
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('ContactsPage', () => {
  it('lists and searches the directory', async () => {
    const fn = server();
    renderPage(<ContactsPage />, { session: fakeSession({ me: fakeMe(DIRECTORY) }) });
    const rows = await screen.findAllByTestId('contact-row');
    expect(rows[0].textContent).toContain('Carla');
    expect(rows[0].textContent).toContain('Opted in');
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search contacts' }), { target: { value: 'nobody' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('No contacts match your search.')).toBeTruthy();
    expect(fn.mock.calls.some(([u]) => String(u).includes('q=nobody'))).toBe(true);
  });

  it('edits a profile with attributes, checks keys first, blocks and merges a duplicate', async () => {
    const fn = server();
    renderRoutes([{ path: '/settings/contacts/:contactId', element: <ContactsPage /> }], { path: '/settings/contacts/k1', session: fakeSession({ me: fakeMe(DIRECTORY) }) });
    const form = await screen.findByRole('form', { name: 'Contact' });
    expect((within(form).getByLabelText('Email') as HTMLInputElement).value).toBe('carla@example.com');
    const keys = within(form).getAllByLabelText('Attribute key') as HTMLInputElement[];
    expect(keys.map((k) => k.value)).toEqual(['plan', 'seats']);
    // A bad key is caught before saving.
    fireEvent.click(within(form).getByRole('button', { name: 'Add attribute' }));
    const newKey = within(form).getAllByLabelText('Attribute key')[2];
    fireEvent.change(newKey, { target: { value: 'bad key' } });
    fireEvent.change(within(form).getAllByLabelText('Attribute value')[2], { target: { value: 'true' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    expect(await within(form).findByText(/must be 1 to 40 characters/)).toBeTruthy();
    expect(fn.mock.calls.some(([, i]) => i?.method === 'PATCH')).toBe(false);
    fireEvent.change(newKey, { target: { value: 'vip' } });
    fireEvent.change(within(form).getByLabelText('Marketing opt-in'), { target: { value: 'opted_out' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fn.mock.calls.some(([, i]) => i?.method === 'PATCH')).toBe(true));
    const patch = fn.mock.calls.find(([, i]) => i?.method === 'PATCH')!;
    expect(JSON.parse(String(patch[1]!.body))).toEqual({
      name: 'Carla',
      email: 'carla@example.com',
      notes: '',
      attributes: { plan: 'gold', seats: 3, vip: true },
      opt_in: 'opted_out',
    });

    // Block, after confirming.
    fireEvent.click(screen.getByRole('button', { name: 'Block' }));
    const confirm = screen.getByRole('dialog', { name: /Block Carla/ });
    fireEvent.click(within(confirm).getByRole('button', { name: 'Block' }));
    expect(await screen.findByRole('button', { name: 'Unblock' })).toBeTruthy();

    // Merge the suggested duplicate.
    const dups = await screen.findByTestId('duplicates');
    fireEvent.click(within(dups).getByRole('button', { name: 'Merge into this contact' }));
    const mergeDialog = screen.getByRole('dialog', { name: /Merge carla into Carla/ });
    fireEvent.click(within(mergeDialog).getByRole('button', { name: 'Merge' }));
    await waitFor(() => expect(fn.mock.calls.some(([u, i]) => u === '/api/v1/contacts/k1/merge' && i?.method === 'POST')).toBe(true));
    const merge = fn.mock.calls.find(([u]) => u === '/api/v1/contacts/k1/merge')!;
    expect(JSON.parse(String(merge[1]!.body))).toEqual({ from: 'k2' });
    expect(screen.getByRole('link', { name: /hola/ }).getAttribute('href')).toBe('/inbox/c1');
  });

  it('imports a CSV with a live progress bar and shows the rows that failed', async () => {
    let polls = 0;
    const fn = server({
      'GET /api/v1/contacts/imports/i1': () => {
        polls += 1;
        return jsonResponse(200, {
          id: 'i1', status: 'done', filename: 'people.csv', total: 3, processed: 3, created: 1, updated: 1, failed: 1,
          error: null, errors: [{ row: 4, message: 'That is not an email address.' }], created_at: '', finished_at: '',
        });
      },
    });
    const uploads = stubXhr(() => ({
      status: 202,
      body: { id: 'i1', status: 'queued', filename: 'people.csv', total: 3, processed: 0, created: 0, updated: 0, failed: 0, error: null, errors: [], created_at: '', finished_at: null },
    }));
    renderPage(<ContactsPage />, { session: fakeSession({ me: fakeMe(DIRECTORY) }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Import CSV' }));
    const dialog = screen.getByRole('dialog', { name: 'Import contacts' });
    const file = new File(['phone,name\n34600111222,Carla\n'], 'people.csv', { type: 'text/csv' });
    fireEvent.change(within(dialog).getByLabelText('CSV file'), { target: { files: [file] } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    expect(await within(dialog).findByText('0 of 3 rows processed…')).toBeTruthy();
    expect(uploads[0].url).toBe('/api/v1/contacts/imports');
    expect((uploads[0].body.get('file') as File).name).toBe('people.csv');
    // The next poll (every second) finds it done, with its row errors.
    expect(await within(dialog).findByText('Done: 1 created, 1 updated, 1 not imported.', {}, { timeout: 3000 })).toBeTruthy();
    expect(within(dialog).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    const errors = within(dialog).getByTestId('import-errors');
    expect(errors.textContent).toContain('That is not an email address.');
    expect(errors.textContent).toContain('4');
    expect(polls).toBe(1);
    expect(fn).toHaveBeenCalled();
  });

  it('tells people without the directory permissions, and reads attribute values', async () => {
    server();
    renderPage(<ContactsPage />, { session: fakeSession({ me: fakeMe(['contacts:manage', 'conversations:read_assigned']) }) });
    expect(await screen.findByText(/needs the “Manage contacts” and “Read all conversations” permissions/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Import CSV' })).toBeNull();
    expect(attributeValue('4')).toBe(4);
    expect(attributeValue('007')).toBe('007');
    expect(attributeValue('false')).toBe(false);
    expect(attributeValue('')).toBe('');
  });
});
