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

  describe('Connect with Facebook and the own Meta app', () => {
    afterEach(() => {
      delete window.FB;
      delete window.fbAsyncInit;
    });

    function server(opts: { enabled: boolean; onSignup?: (body: Record<string, unknown>) => Response }) {
      const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
        if (url === '/api/v1/numbers/embedded-signup' && init.method === 'POST') return opts.onSignup!(JSON.parse(String(init.body)));
        if (url === '/api/v1/numbers/embedded-signup')
          return jsonResponse(200, { enabled: opts.enabled, app_id: opts.enabled ? '1234' : null, config_id: opts.enabled ? 'cfg-9' : null, graph_version: 'v21.0' });
        if (url === '/api/v1/meta-app' && init.method === 'PUT')
          return jsonResponse(200, { configured: true, app_id: '777', webhook_url: 'https://chorus.example/webhooks/whatsapp/k3y', verify_token_set: true });
        if (url === '/api/v1/meta-app')
          return jsonResponse(200, { configured: false, app_id: null, webhook_url: 'https://chorus.example/webhooks/whatsapp', verify_token_set: false });
        return jsonResponse(200, { items: [sandbox], next_cursor: null });
      });
      vi.stubGlobal('fetch', fn);
      return fn;
    }

    const manager = () => fakeSession({ me: fakeMe(['numbers:manage']) });

    it('offers Facebook only when the server has Embedded Signup, and loads no Facebook script otherwise', async () => {
      server({ enabled: false });
      renderPage(<NumbersPage />, { session: manager() });
      await screen.findAllByTestId('number-row');
      await waitFor(() => expect(screen.getByTestId('webhook-url')).toBeTruthy());
      expect(screen.queryByTestId('facebook-connect')).toBeNull();
      expect(document.querySelector('script[src*="connect.facebook.net"]')).toBeNull();
    });

    it('runs the Facebook popup, asks for the PIN and finishes on the server', async () => {
      let signup: Record<string, unknown> | null = null;
      server({ enabled: true, onSignup: (b) => ((signup = b), jsonResponse(201, { ...real, id: 'n7' })) });
      const init = vi.fn();
      const login = vi.fn((cb: (r: { authResponse: { code: string } }) => void, _options: Record<string, unknown>) => {
        // The popup first tells which account and number were chosen, then FB.login answers.
        window.dispatchEvent(
          new MessageEvent('message', {
            origin: 'https://www.facebook.com',
            data: JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { phone_number_id: '106540352242922', waba_id: '102290129340398' } }),
          }),
        );
        // A look-alike origin is ignored.
        window.dispatchEvent(
          new MessageEvent('message', { origin: 'https://facebook.com.evil.example', data: JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { phone_number_id: '1', waba_id: '2' } }) }),
        );
        cb({ authResponse: { code: 'code-abc' } });
      });
      window.FB = { init, login };
      renderPage(<NumbersPage />, { session: manager() });
      fireEvent.click(await screen.findByTestId('facebook-connect'));
      const dialog = await screen.findByRole('dialog', { name: 'Protect the number with a PIN' });
      expect(init).toHaveBeenCalledWith({ appId: '1234', autoLogAppEvents: true, xfbml: false, version: 'v21.0' });
      expect(login.mock.calls[0][1]).toEqual({
        config_id: 'cfg-9',
        response_type: 'code',
        override_default_response_type: true,
        extras: { setup: {}, featureType: '', sessionInfoVersion: '3' },
      });
      fireEvent.change(within(dialog).getByLabelText('6-digit PIN'), { target: { value: '12a3' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Connect the number' }));
      expect(within(dialog).getByText('Enter exactly 6 digits.')).toBeTruthy();
      fireEvent.change(within(dialog).getByLabelText('6-digit PIN'), { target: { value: '123456' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Connect the number' }));
      await waitFor(() => expect(signup).toEqual({ code: 'code-abc', waba_id: '102290129340398', phone_number_id: '106540352242922', pin: '123456' }));
      expect(await screen.findByText('+34 911 222 333 is connected.')).toBeTruthy();
    });

    it('shows the webhook address with a copy button, and saves an own Meta app', async () => {
      const fetchMock = server({ enabled: false });
      const writeText = vi.fn(async () => {});
      Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
      renderPage(<NumbersPage />, { session: manager() });
      const section = await screen.findByTestId('meta-app');
      await waitFor(() => expect((within(section).getByTestId('webhook-url') as HTMLInputElement).value).toBe('https://chorus.example/webhooks/whatsapp'));
      expect(section.textContent).toContain("Using Chorus's Meta app");
      fireEvent.click(within(section).getByRole('button', { name: /Copy/ }));
      await waitFor(() => expect(writeText).toHaveBeenCalledWith('https://chorus.example/webhooks/whatsapp'));
      fireEvent.click(within(section).getByRole('button', { name: 'Use my own app' }));
      const dialog = screen.getByRole('dialog', { name: 'Your own Meta app' });
      fireEvent.change(within(dialog).getByLabelText('App ID'), { target: { value: '777' } });
      fireEvent.change(within(dialog).getByLabelText('App secret'), { target: { value: 'short' } });
      fireEvent.change(within(dialog).getByLabelText('Verify token'), { target: { value: 'my-verify-token' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
      expect(within(dialog).getByText('Paste the whole app secret (letters and digits).')).toBeTruthy();
      fireEvent.change(within(dialog).getByLabelText('App secret'), { target: { value: 'a1b2c3d4e5f6a7b8c9d0' } });
      fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
      await waitFor(() => expect((within(section).getByTestId('webhook-url') as HTMLInputElement).value).toBe('https://chorus.example/webhooks/whatsapp/k3y'));
      const put = fetchMock.mock.calls.find(([u, i]) => u === '/api/v1/meta-app' && i?.method === 'PUT')!;
      expect(JSON.parse(String(put[1]?.body))).toEqual({ app_id: '777', app_secret: 'a1b2c3d4e5f6a7b8c9d0', verify_token: 'my-verify-token' });
      expect(section.textContent).toContain('Using your app 777');
    });

    it('people without numbers:manage see neither Facebook nor the Meta app', async () => {
      const fetchMock = server({ enabled: true });
      renderPage(<NumbersPage />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
      await screen.findAllByTestId('number-row');
      expect(screen.queryByTestId('facebook-connect')).toBeNull();
      expect(screen.queryByTestId('meta-app')).toBeNull();
      expect(fetchMock.mock.calls.some(([u]) => u === '/api/v1/meta-app' || u === '/api/v1/numbers/embedded-signup')).toBe(false);
    });
  });
});
