import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WhatsAppNumber } from '../api';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../test/render';
import { QualityBanner, worryingNumbers } from './QualityBanner';

const base: WhatsAppNumber = {
  id: 'n1',
  phone_number_id: '1',
  waba_id: 'w',
  display_phone_number: '34911222333',
  verified_name: 'Acme',
  quality_rating: 'GREEN',
  messaging_limit: 'TIER_1K',
  throughput_per_second: 80,
  status: 'connected',
  sandbox: false,
  created_at: '2026-11-22T10:00:00Z',
};

function server(items: WhatsAppNumber[]) {
  const fn = vi.fn(async () => jsonResponse(200, { items, next_cursor: null }));
  vi.stubGlobal('fetch', fn);
  return fn;
}
const manager = () => fakeSession({ me: fakeMe(['numbers:manage']) });

describe('QualityBanner', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    sessionStorage.clear();
  });

  it('counts only connected YELLOW and RED numbers', () => {
    const list = [
      base,
      { ...base, id: 'n2', quality_rating: 'YELLOW' },
      { ...base, id: 'n3', quality_rating: 'RED', status: 'disconnected' },
      { ...base, id: 'n4', quality_rating: 'UNKNOWN' },
      { ...base, id: 'n5', quality_rating: null },
      { ...base, id: 'n6', quality_rating: 'red' },
    ];
    expect(worryingNumbers(list).map((n) => n.id)).toEqual(['n2', 'n6']);
  });

  it('shows nothing when every number is GREEN or unrated', async () => {
    const fn = server([base, { ...base, id: 'n2', quality_rating: null }]);
    renderPage(<QualityBanner />, { session: manager() });
    await waitFor(() => expect(fn).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('quality-banner')).toBeNull();
  });

  it('warns about a YELLOW number and links to the numbers page', async () => {
    server([base, { ...base, id: 'n2', display_phone_number: '34600111222', quality_rating: 'YELLOW' }]);
    renderPage(<QualityBanner />, { session: manager() });
    const banner = await screen.findByTestId('quality-banner');
    expect(banner.textContent).toContain('The quality of +34 600 111 222 dropped to medium');
    expect(banner.className).not.toContain('quality-banner-red');
    expect(screen.getByRole('link', { name: 'See the numbers' }).getAttribute('href')).toBe('/settings/numbers');
  });

  it('is red for a RED number and hides when dismissed, for the session', async () => {
    server([{ ...base, quality_rating: 'RED' }]);
    const { unmount } = renderPage(<QualityBanner />, { session: manager() });
    const banner = await screen.findByTestId('quality-banner');
    expect(banner.className).toContain('quality-banner-red');
    expect(banner.textContent).toContain('is low');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('quality-banner')).toBeNull();
    unmount();
    // Still dismissed after a remount (another page) in the same session…
    const fn = server([{ ...base, quality_rating: 'RED' }]);
    const again = renderPage(<QualityBanner />, { session: manager() });
    await waitFor(() => expect(fn).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.queryByTestId('quality-banner')).toBeNull();
    again.unmount();
    // …until another number drops.
    server([{ ...base, quality_rating: 'RED' }, { ...base, id: 'n2', quality_rating: 'YELLOW' }]);
    renderPage(<QualityBanner />, { session: manager() });
    expect(await screen.findByTestId('quality-banner')).toBeTruthy();
  });

  it('is only for people who manage numbers', async () => {
    const fn = server([{ ...base, quality_rating: 'RED' }]);
    renderPage(<QualityBanner />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    await new Promise((r) => setTimeout(r, 20));
    expect(fn).not.toHaveBeenCalled();
    expect(screen.queryByTestId('quality-banner')).toBeNull();
  });
});
