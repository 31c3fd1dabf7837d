import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WhatsAppNumber } from '../../../api';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { NumbersPage } from './NumbersPage';

const sandbox: WhatsAppNumber = {
  id: 'n1',
  phone_number_id: 'sandbox-1',
  waba_id: 'sandbox-waba-1',
  display_phone_number: '15550000000',
  verified_name: 'Sandbox',
  quality_rating: 'GREEN',
  messaging_limit: null,
  throughput_per_second: 80,
  status: 'connected',
  sandbox: true,
  created_at: '2026-11-22T09:00:00Z',
};
const real: WhatsAppNumber = {
  ...sandbox,
  id: 'n2',
  phone_number_id: '106540352242922',
  waba_id: '102290129340398',
  display_phone_number: '34911222333',
  verified_name: 'Acme Shop',
  quality_rating: 'YELLOW',
  messaging_limit: 'TIER_1K',
  sandbox: false,
  created_at: '2026-11-22T10:00:00Z',
};

describe('NumbersPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists numbers with quality, limit, status and the sandbox badge; read-only without numbers:manage', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, { items: [sandbox, { ...real, status: 'needs_reconnect', quality_rating: 'RED' }], next_cursor: null })));
    renderPage(<NumbersPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    const rows = await screen.findAllByTestId('number-row');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('+34 911 222 333');
    expect(rows[0].textContent).toContain('Acme Shop');
    expect(rows[0].textContent).toContain('Low');
    expect(rows[0].textContent).toContain('1,000 customers / 24 h');
    expect(rows[0].textContent).toContain('Needs reconnecting');
    expect(rows[1].textContent).toContain('+1 555 000 0000');
    expect(within(rows[1]).getByText('Sandbox', { selector: '.badge' })).toBeTruthy();
    expect(rows[1].textContent).toContain('High');
    expect(rows[1].textContent).toContain('Test only');
    expect(screen.queryByRole('button', { name: /Connect a number/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Disconnect/ })).toBeNull();
    expect(screen.getByText(/Only people allowed to manage WhatsApp numbers/)).toBeTruthy();
  });

  it('connects a number, showing Meta’s refusal next to the token', async () => {
    let attempt = 0;
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) => {
      if (init.method !== 'POST') return jsonResponse(200, { items: [sandbox], next_cursor: null });
      attempt += 1;
      if (attempt === 1) {
        return jsonResponse(422, {
          error: { code: 'validation_failed', message: 'Invalid.', fields: { access_token: 'Meta did not confirm this number with this token: the token has expired.' } },
        });
      }
      return jsonResponse(201, real);
    });
    vi.stubGlobal('fetch', fetchMock);
    renderPage(<NumbersPage />, { session: fakeSession({ me: fakeMe(['numbers:manage']) }) });
    await screen.findAllByTestId('number-row');
    // The sandbox number cannot be disconnected.
    expect(screen.queryByRole('button', { name: /Disconnect/ })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: /Connect a number/ }));
    const dialog = screen.getByRole('dialog', { name: 'Connect a WhatsApp number' });
    const token = within(dialog).getByLabelText('Access token') as HTMLInputElement;
    expect(token.type).toBe('password');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Connect' }));
    expect(within(dialog).getAllByText('This field is required.')).toHaveLength(3);
    expect(fetchMock.mock.calls.filter(([, i]) => i?.method === 'POST')).toHaveLength(0);

    fireEvent.change(within(dialog).getByLabelText('Phone number ID'), { target: { value: ' 106540352242922 ' } });
    fireEvent.change(within(dialog).getByLabelText('WhatsApp Business Account ID'), { target: { value: '102290129340398' } });
    fireEvent.change(token, { target: { value: 'EAAG-a-long-enough-token-123' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Connect' }));
    expect(await within(dialog).findByText('Meta did not confirm this number with this token: the token has expired.')).toBeTruthy();

    fireEvent.click(within(dialog).getByRole('button', { name: 'Connect' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const post = fetchMock.mock.calls.filter(([, i]) => i?.method === 'POST').pop()!;
    expect(post[0]).toBe('/api/v1/numbers');
    expect(JSON.parse(String(post[1]!.body))).toEqual({
      phone_number_id: '106540352242922',
      waba_id: '102290129340398',
      access_token: 'EAAG-a-long-enough-token-123',
    });
    expect(screen.getAllByTestId('number-row')[0].textContent).toContain('+34 911 222 333');
  });

  it('disconnects after confirmation', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit = {}) =>
      init.method === 'DELETE' ? new Response(null, { status: 204 }) : jsonResponse(200, { items: [sandbox, real], next_cursor: null }),
    );
    vi.stubGlobal('fetch', fetchMock);
    renderPage(<NumbersPage />, { session: fakeSession({ me: fakeMe(['numbers:manage']) }) });
    await screen.findAllByTestId('number-row');
    fireEvent.click(screen.getByRole('button', { name: /Disconnect/ }));
    const dialog = screen.getByRole('dialog', { name: 'Disconnect +34 911 222 333?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fetchMock.mock.calls.find(([, i]) => i?.method === 'DELETE')![0]).toBe('/api/v1/numbers/n2');
    const row = screen.getAllByTestId('number-row').find((r) => r.textContent?.includes('Acme Shop'))!;
    expect(row.textContent).toContain('Disconnected');
    expect(within(row).queryByRole('button', { name: /Disconnect/ })).toBeNull();
  });
});
