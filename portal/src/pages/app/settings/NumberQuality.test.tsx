import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WhatsAppNumber } from '../../../api';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { NumbersPage } from './NumbersPage';

const real: WhatsAppNumber = {
  id: 'n2',
  phone_number_id: '106540352242922',
  waba_id: '102290129340398',
  display_phone_number: '34911222333',
  verified_name: 'Acme Shop',
  quality_rating: 'YELLOW',
  messaging_limit: 'TIER_1K',
  throughput_per_second: 80,
  status: 'connected',
  sandbox: false,
  created_at: '2026-11-22T10:00:00Z',
};

function quality(hours: number) {
  return {
    number_id: 'n2',
    display_phone_number: '34911222333',
    quality_rating: hours === 24 ? 'YELLOW' : 'RED',
    messaging_limit: 'TIER_1K',
    status: 'connected',
    since: '2026-12-03T02:00:00Z',
    sent: hours === 24 ? 200 : 1000,
    failed: hours === 24 ? 30 : 100,
    failure_rate: hours === 24 ? 0.15 : 0.1,
    by_code:
      hours === 24
        ? [
            { code: 131049, title: 'Message not delivered to maintain healthy ecosystem engagement.', explanation: 'Meta held the message back: this customer got too many marketing messages.', count: 20 },
            { code: 131026, title: 'Message undeliverable', explanation: 'The number is not on WhatsApp or the customer’s app is too old.', count: 10 },
          ]
        : [],
  };
}

function server() {
  const fn = vi.fn(async (url: string) => {
    const u = new URL(url, 'http://x');
    if (u.pathname === '/api/v1/numbers') return jsonResponse(200, { items: [real], next_cursor: null });
    if (u.pathname === '/api/v1/numbers/n2/quality') return jsonResponse(200, quality(Number(u.searchParams.get('hours'))));
    return jsonResponse(404, { error: { code: 'not_found', message: url } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const qualityCalls = (fn: ReturnType<typeof server>) => fn.mock.calls.map(([u]) => String(u)).filter((u) => u.includes('/quality'));

describe('Number quality', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the rating, the limit in words, the failure rate and failures by code; the window switches', async () => {
    const fn = server();
    renderPage(<NumbersPage />, { session: fakeSession({ me: fakeMe(['numbers:manage']) }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Quality of +34 911 222 333' }));
    const dialog = await screen.findByRole('dialog', { name: 'Quality of +34 911 222 333' });
    const body = await within(dialog).findByTestId('number-quality');
    expect(qualityCalls(fn)).toEqual(['/api/v1/numbers/n2/quality?hours=24']);
    expect(within(body).getByTestId('quality-rating').textContent).toBe('Medium');
    expect(within(body).getByTestId('quality-rating').querySelector('.badge-warning')).toBeTruthy();
    expect(within(body).getByTestId('quality-limit').textContent).toBe('1,000 customers / 24 h');
    expect(within(body).getByTestId('quality-failure-rate').textContent).toBe('15%');
    expect(within(body).getByTestId('quality-counts').textContent).toBe('200 sent · 30 failed');
    const codes = within(body).getAllByTestId('quality-code');
    expect(codes).toHaveLength(2);
    expect(codes[0].textContent).toContain('131049');
    expect(codes[0].textContent).toContain('too many marketing messages');
    expect(codes[0].textContent).toContain('20');
    expect(within(dialog).getByRole('button', { name: '24 hours' }).getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(within(dialog).getByRole('button', { name: '7 days' }));
    await waitFor(() => expect(within(dialog).getByTestId('quality-rating').textContent).toBe('Low'));
    expect(qualityCalls(fn).at(-1)).toBe('/api/v1/numbers/n2/quality?hours=168');
    expect(within(dialog).getByText('No failed messages in this period.')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: '30 days' }));
    await waitFor(() => expect(qualityCalls(fn).at(-1)).toBe('/api/v1/numbers/n2/quality?hours=720'));
  });

  it('is offered to reports:view too, but not to people with neither permission', async () => {
    server();
    const { unmount } = renderPage(<NumbersPage />, { session: fakeSession({ me: fakeMe(['reports:view']) }) });
    expect(await screen.findByRole('button', { name: 'Quality of +34 911 222 333' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Disconnect/ })).toBeNull();
    unmount();
    renderPage(<NumbersPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    await screen.findAllByTestId('number-row');
    expect(screen.queryByRole('button', { name: /Quality of/ })).toBeNull();
  });
});
