import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../../../i18n';
import { fakeMe, fakeSession, jsonResponse, renderPage } from '../../../test/render';
import { BusinessHoursPage, runsPastMidnight } from './BusinessHoursPage';

const business = {
  settings: {
    number_id: null,
    time_zone: 'Europe/Madrid',
    periods: [
      { day: 'mon', start: '09:00', end: '14:00' },
      { day: 'mon', start: '16:00', end: '19:00' },
      { day: 'fri', start: '22:00', end: '02:00' },
    ],
    holidays: [{ date: '2026-12-25', name: 'Christmas' }],
    greeting_enabled: true,
    greeting_text: 'Hi! How can we help?',
    away_enabled: false,
    away_text: null,
    away_cooldown_hours: 12,
  },
  open_now: false,
  updated_at: '2026-01-01T00:00:00Z',
};
const sandbox = { id: 'n1', phone_number_id: '1', waba_id: 'w', display_phone_number: '+1 555 000 0000', verified_name: 'Sandbox', quality_rating: null, messaging_limit: null, throughput_per_second: 80, status: 'connected', sandbox: true, created_at: '2026-01-01T00:00:00Z' };
const numberOwn = { ...business, settings: { ...business.settings, number_id: 'n1', periods: [] }, open_now: true };

function server(opts: { items?: unknown[]; put?: (body: Record<string, unknown>) => Response } = {}) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const path = new URL(url, 'http://x').pathname;
    if (path === '/api/v1/numbers') return jsonResponse(200, { items: [sandbox], next_cursor: null });
    if (path === '/api/v1/business-hours' && method === 'GET') return jsonResponse(200, { items: opts.items ?? [business] });
    if (path === '/api/v1/business-hours' && method === 'PUT') {
      const body = JSON.parse(String(init.body));
      return opts.put ? opts.put(body) : jsonResponse(200, { settings: body, open_now: true, updated_at: '2026-01-02T00:00:00Z' });
    }
    if (path.startsWith('/api/v1/business-hours/numbers/') && method === 'DELETE') return new Response(null, { status: 204 });
    return jsonResponse(404, { error: { code: 'not_found', message: path } });
  });
  vi.stubGlobal('fetch', fn);
  return fn;
}
const admin = () => fakeSession({ me: fakeMe(['settings:manage']) });
const puts = (fn: ReturnType<typeof server>) => fn.mock.calls.filter(([, init]) => init?.method === 'PUT').map(([, init]) => JSON.parse(String(init!.body)));

describe('BusinessHoursPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    void i18n.changeLanguage('en');
  });

  it('says when a period runs past midnight', () => {
    expect(runsPastMidnight({ start: '22:00', end: '02:00' })).toBe(true);
    expect(runsPastMidnight({ start: '09:00', end: '09:00' })).toBe(true);
    expect(runsPastMidnight({ start: '09:00', end: '18:00' })).toBe(false);
    expect(runsPastMidnight({ start: '00:00', end: '00:00' })).toBe(false); // the whole day
  });

  it('needs settings:manage', async () => {
    server();
    renderPage(<BusinessHoursPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(screen.queryByRole('button', { name: 'Save business hours' })).toBeNull();
  });

  it('shows the schedule, the Closed now badge and the past-midnight note; saves what was edited', async () => {
    const fn = server();
    renderPage(<BusinessHoursPage />, { session: admin() });
    expect((await screen.findByTestId('open-now')).textContent).toBe('Closed now');
    expect(screen.getByLabelText('Time zone')).toHaveProperty('value', 'Europe/Madrid');
    const monday = screen.getByTestId('hours-day-mon');
    expect(within(monday).getAllByLabelText(/Monday period \d opens/)).toHaveLength(2);
    expect(within(screen.getByTestId('hours-day-tue')).getByText('Closed')).toBeTruthy();
    expect(within(screen.getByTestId('hours-day-fri')).getByTestId('next-day').textContent).toContain('ends the next day');
    expect(screen.getByText(/runs past midnight into the next day/)).toBeTruthy();
    expect(screen.getByLabelText('Holiday 1 name')).toHaveProperty('value', 'Christmas');

    // Saturday gets a period; the away message is switched on.
    fireEvent.click(screen.getByRole('button', { name: 'Add a period on Saturday' }));
    fireEvent.change(screen.getByLabelText('Saturday period 1 closes'), { target: { value: '13:00' } });
    fireEvent.click(screen.getByLabelText('Send an away message outside business hours'));
    fireEvent.change(screen.getByLabelText('Away message'), { target: { value: 'We are closed, back at 9.' } });
    fireEvent.change(screen.getByLabelText('Send the away message again after (hours)'), { target: { value: '24' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save business hours' }));
    await waitFor(() => expect(puts(fn)).toHaveLength(1));
    expect(puts(fn)[0]).toEqual({
      time_zone: 'Europe/Madrid',
      periods: [...business.settings.periods, { day: 'sat', start: '09:00', end: '13:00' }],
      holidays: [{ date: '2026-12-25', name: 'Christmas' }],
      greeting_enabled: true,
      greeting_text: 'Hi! How can we help?',
      away_enabled: true,
      away_text: 'We are closed, back at 9.',
      away_cooldown_hours: 24,
    });
    await waitFor(() => expect(screen.getByTestId('open-now').textContent).toBe('Open now'));
  });

  it('shows the server’s field errors next to their fields, and checks the obvious ones first', async () => {
    const fn = server({
      put: () => jsonResponse(422, { error: { code: 'validation_failed', message: 'Check the fields.', fields: { time_zone: 'Use an IANA time zone like Europe/Madrid.' } } }),
    });
    renderPage(<BusinessHoursPage />, { session: admin() });
    await screen.findByTestId('open-now');
    // Away on without a text: refused here, nothing sent.
    fireEvent.click(screen.getByLabelText('Send an away message outside business hours'));
    fireEvent.click(screen.getByRole('button', { name: 'Save business hours' }));
    expect(await screen.findByText('Write the message to send, or switch it off.')).toBeTruthy();
    expect(puts(fn)).toHaveLength(0);

    fireEvent.change(screen.getByLabelText('Away message'), { target: { value: 'Closed.' } });
    fireEvent.change(screen.getByLabelText('Time zone'), { target: { value: 'Mars/Olympus' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save business hours' }));
    const error = await screen.findByText('Use an IANA time zone like Europe/Madrid.');
    expect(screen.getByLabelText('Time zone').getAttribute('aria-invalid')).toBe('true');
    expect(error.closest('.field')).toBe(screen.getByLabelText('Time zone').closest('.field'));
  });

  it('a number can have its own hours, and follow the business again (DELETE)', async () => {
    const fn = server({ items: [business, numberOwn] });
    renderPage(<BusinessHoursPage />, { session: admin() });
    await screen.findByTestId('open-now');
    fireEvent.change(screen.getByLabelText('Schedule for'), { target: { value: 'n1' } });
    expect(screen.getByTestId('open-now').textContent).toBe('Open now');
    expect(within(screen.getByTestId('hours-day-mon')).getByText('Closed')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Follow the business’s hours again' }));
    await waitFor(() => expect(fn.mock.calls.some(([u, init]) => init?.method === 'DELETE' && String(u).endsWith('/api/v1/business-hours/numbers/n1'))).toBe(true));
    expect(await screen.findByTestId('hours-follows-business')).toBeTruthy();
    // Giving it its own hours again starts from the business's schedule and saves with number_id.
    fireEvent.click(screen.getByRole('button', { name: 'Give this number its own hours' }));
    expect(within(screen.getByTestId('hours-day-mon')).getAllByLabelText(/Monday period \d opens/)).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Save business hours' }));
    await waitFor(() => expect(puts(fn)).toHaveLength(1));
    expect(puts(fn)[0].number_id).toBe('n1');
  });

  it('speaks Spanish', async () => {
    server();
    await i18n.changeLanguage('es');
    renderPage(<BusinessHoursPage />, { session: admin() });
    expect((await screen.findByTestId('open-now')).textContent).toBe('Cerrado ahora');
    expect(screen.getByRole('button', { name: 'Guardar el horario' })).toBeTruthy();
    expect(within(screen.getByTestId('hours-day-fri')).getByTestId('next-day').textContent).toContain('termina al día siguiente');
  });
});
