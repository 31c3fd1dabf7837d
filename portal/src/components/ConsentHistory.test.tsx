import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '../i18n';
import { jsonResponse, renderPage } from '../test/render';
import { ConsentHistory, consentSource } from './ConsentHistory';

const t = i18n.t.bind(i18n);
const events = [
  { id: 'e3', state: 'opted_out', source: 'keyword:BAJA', message_id: 'msg1', created_at: '2026-03-03T09:00:00Z' },
  { id: 'e2', state: 'opted_out', source: 'meta:131050', message_id: 'msg0', created_at: '2026-03-02T09:00:00Z' },
  { id: 'e1', state: 'opted_in', source: 'agent', message_id: null, created_at: '2026-03-01T09:00:00Z' },
  { id: 'e0', state: 'opted_in', source: 'import', message_id: null, created_at: '2026-02-01T09:00:00Z' },
];

function server(answer: () => Response) {
  const fn = vi.fn(async (url: string) => (new URL(url, 'http://x').pathname === '/api/v1/contacts/k1/consent' ? answer() : jsonResponse(404, { error: { code: 'not_found', message: url } })));
  vi.stubGlobal('fetch', fn);
  return fn;
}

describe('ConsentHistory', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    void i18n.changeLanguage('en');
  });

  it('reads sources as sentences', () => {
    expect(consentSource(t, 'keyword:BAJA')).toBe('Wrote “BAJA”');
    expect(consentSource(t, 'meta:131050')).toBe('WhatsApp: stopped marketing messages (131050)');
    expect(consentSource(t, 'meta:131999')).toBe('WhatsApp (error 131999)');
    expect(consentSource(t, 'agent')).toBe('Changed by an agent');
    expect(consentSource(t, 'import')).toBe('Import');
    expect(consentSource(t, 'something_new')).toBe('something_new');
  });

  it('lists the events newest first with state, readable source and time', async () => {
    const fn = server(() => jsonResponse(200, { items: events }));
    renderPage(<ConsentHistory contactId="k1" />);
    const items = await screen.findAllByTestId('consent-item');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(String(fn.mock.calls[0][0])).toBe('/api/v1/contacts/k1/consent');
    expect(screen.getByRole('heading', { name: 'Consent history' })).toBeTruthy();
    expect(items.map((i) => i.querySelector('.consent-source')!.textContent)).toEqual([
      'Wrote “BAJA”',
      'WhatsApp: stopped marketing messages (131050)',
      'Changed by an agent',
      'Import',
    ]);
    expect(items[0].textContent).toContain('Opted out');
    expect(items[2].textContent).toContain('Opted in');
    expect(items[0].querySelector('time')!.getAttribute('dateTime')).toBe('2026-03-03T09:00:00Z');
  });

  it('in Spanish', async () => {
    await i18n.changeLanguage('es');
    server(() => jsonResponse(200, { items: events.slice(0, 1) }));
    renderPage(<ConsentHistory contactId="k1" />);
    expect(await screen.findByText('Escribió “BAJA”')).toBeTruthy();
    expect(screen.getByText('Historial de consentimiento')).toBeTruthy();
  });

  it('says when there is nothing yet', async () => {
    server(() => jsonResponse(200, { items: [] }));
    renderPage(<ConsentHistory contactId="k1" />);
    expect(await screen.findByText('No consent changes yet.')).toBeTruthy();
  });

  it('leaves the section out on 404 (older server)', async () => {
    const fn = server(() => jsonResponse(404, { error: { code: 'not_found', message: 'Not found' } }));
    const { container } = renderPage(<ConsentHistory contactId="k1" />);
    await waitFor(() => expect(fn).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 10));
    expect(container.textContent).toBe('');
    expect(screen.queryByTestId('consent-history')).toBeNull();
  });
});
