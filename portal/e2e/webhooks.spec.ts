// Settings → Webhooks against a real Chorus server, with a real receiver: a tiny Node HTTP server
// on 127.0.0.1 that records every request (infra/e2e.sh starts Chorus with
// CHORUS_WEBHOOKS_ALLOW_LOOPBACK=true so it may be called; private ranges stay refused). A new
// business's owner opens Webhooks from the navigation (empty state), tries http://10.0.0.5/hook
// and gets the server's private-address sentence at the URL field, then registers the receiver for
// message.created; the signing secret shows once. The customer writes on the test phone: the
// receiver gets a message.created POST whose X-Chorus-Signature verifies with that secret (HMAC
// computed here with node:crypto) and whose X-Chorus-Event-Id is the body's id; the delivery log
// shows it delivered with HTTP 200 and its payload. "Send test" delivers a ping; "Send again"
// re-sends the same event (same event id, new delivery id); the switch turns the endpoint off. A
// second endpoint on a port nobody listens at fails its test event ("No answer", "Could not
// connect", a red dot). Last, the page in Spanish at phone width. Screenshots: /tmp/hooks-*.png.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR, like the other specs (infra/e2e.sh sets both).
import { expect, test, type Page } from '@playwright/test';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { logIn, newOwner, signUpAndLogIn } from './account';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');

async function shot(page: Page, name: string, { fullPage = true } = {}) {
  if (fullPage) await expect(page.locator('.toast')).toHaveCount(0, { timeout: 10_000 });
  await page.screenshot({ path: `/tmp/hooks-${name}.png`, fullPage });
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; created_at: string; business_id: string; data: Record<string, unknown> };
}

/** A receiver on 127.0.0.1 that records requests and answers 200. */
async function startReceiver(): Promise<{ server: Server; url: string; seen: Received[] }> {
  const seen: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Received['body'];
      try {
        body = JSON.parse(raw);
      } catch {
        body = { id: '', type: '', created_at: '', business_id: '', data: {} };
      }
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks/chorus`, seen };
}

/** A loopback URL whose port nobody listens on (connections are refused). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/down`;
}

/** What the help panel tells receivers to do: HMAC-SHA256 of "<t>.<raw body>", constant-time compare. */
function verifies(header: string, raw: string, secret: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=')));
  const t = Number(parts.t);
  if (!t || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  const given = Buffer.from(parts.v1 || '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

test('webhooks: a loopback receiver gets signed message.created events; the log shows them delivered', async ({ browser }) => {
  test.setTimeout(180_000);
  const receiver = await startReceiver();
  const owner = newOwner('hooks');
  const ctx = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const page = await ctx.newPage();
  try {
    await signUpAndLogIn(page, owner, { base: BASE, mailDir: MAIL_DIR });

    // 1. Settings → Webhooks from the navigation: nothing yet, and what webhooks are for.
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page).toHaveURL(/\/settings\/webhooks$/);
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    const empty = page.getByTestId('webhooks-empty');
    await expect(empty).toContainText('Send your inbox’s events to your own systems');
    await expect(page.getByTestId('webhooks-help')).toContainText('X-Chorus-Signature');
    await shot(page, '01-empty');

    // 2. A private address: the server's sentence shows at the URL field, nothing is lost.
    await empty.getByRole('button', { name: 'Add an endpoint' }).click();
    const form = page.getByRole('dialog', { name: 'New webhook endpoint' });
    const url = form.getByLabel('Endpoint URL');
    await url.fill('http://10.0.0.5/hook');
    await form.getByLabel('Description (optional)').fill('E2E receiver');
    await form.getByRole('checkbox', { name: /New message/ }).check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(url).toHaveAttribute('aria-invalid', 'true');
    const urlError = form.locator('.field-invalid .field-error').first();
    await expect(urlError).toContainText('The URL points to 10.0.0.5, a private, loopback or reserved address; webhooks go only to public addresses.');
    await expect(url).toHaveValue('http://10.0.0.5/hook');
    await expect(form.getByRole('checkbox', { name: /New message/ })).toBeChecked();
    await page.waitForTimeout(300); // the dialog's opening animation, for the screenshot
    await shot(page, '02-form-error', { fullPage: false });

    // 3. The receiver, subscribed to message.created: the secret shows once.
    await url.fill(receiver.url);
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const secretDialog = page.getByRole('dialog', { name: 'Endpoint added: copy its signing secret' });
    await expect(secretDialog).toContainText('You will not see it again');
    const secret = await secretDialog.getByTestId('webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_.{16,}/);
    await page.waitForTimeout(300);
    await shot(page, '03-secret', { fullPage: false });
    await secretDialog.getByRole('button', { name: 'I have copied it' }).click();
    await expect(secretDialog).toHaveCount(0);
    await expect(page.getByText(secret)).toHaveCount(0);
    const row = page.getByTestId('webhook-endpoint').filter({ hasText: receiver.url });
    await expect(row).toContainText('E2E receiver');
    await expect(row.locator('.chip')).toHaveText(['message.created']);
    await expect(row.getByTestId('endpoint-health')).toHaveText('No deliveries yet');

    // 4. The customer writes on the test phone.
    const phoneCtx = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
    const phone = await phoneCtx.newPage();
    await logIn(phone, owner);
    await phone.goto('/test-phone');
    await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();
    const text = `Hola, ¿tenéis la talla 42? ${Date.now()}`;
    const phoneInput = phone.getByLabel('Message as the customer');
    await phoneInput.fill(text);
    await phoneInput.press('Enter');
    await expect(phone.getByTestId('phone-thread').getByTestId('message').filter({ hasText: text })).toBeVisible();

    // 5. The receiver got it, signed with the secret from the dialog.
    const isOurs = (r: Received) => r.body.type === 'message.created' && JSON.stringify(r.body.data).includes(text);
    await expect.poll(() => receiver.seen.filter(isOurs).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const got = receiver.seen.find(isOurs)!;
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/hooks/chorus');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-chorus-event']).toBe('message.created');
    expect(got.headers['x-chorus-event-id']).toBe(got.body.id);
    expect(got.headers['x-chorus-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const signature = String(got.headers['x-chorus-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifies(signature, got.raw, secret)).toBe(true);
    expect(verifies(signature, got.raw, `${secret}x`)).toBe(false);
    expect(verifies(signature, got.raw.replace(text, 'tampered'), secret)).toBe(false);
    expect(got.body.business_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((got.body.data.message as { direction: string; body: string }).direction).toBe('inbound');
    expect((got.body.data.message as { direction: string; body: string }).body).toBe(text);

    // 6. The delivery log shows it delivered with HTTP 200 (refresh once the worker has written it).
    await row.getByRole('button', { name: `Show the deliveries to ${receiver.url}` }).click();
    const log = row.getByTestId('delivery-log');
    const ours = log.getByTestId('webhook-delivery').filter({ hasText: 'message.created' }).first();
    await expect(async () => {
      await log.getByRole('button', { name: 'Refresh' }).click();
      await expect(ours).toHaveAttribute('data-state', 'delivered', { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    await expect(ours.getByTestId('delivery-status')).toHaveText('HTTP 200');
    await expect(ours.getByTestId('delivery-attempts')).toHaveText('1 attempt');
    await expect(ours.getByTestId('delivery-response')).toHaveText('{"received":true}');
    await ours.getByText('Payload').click();
    await expect(ours.getByTestId('delivery-payload')).toContainText(text);
    await expect(ours).toContainText(got.body.id);
    await expect(row.getByTestId('endpoint-health-dot')).toHaveAttribute('data-health', 'ok');
    await expect(row.getByTestId('endpoint-health')).toContainText('Last success');
    await shot(page, '04-delivery-log');

    // 7. "Send test": a ping arrives (also signed) and is logged as delivered.
    await row.getByRole('button', { name: `Send a test event to ${receiver.url}` }).click();
    await expect.poll(() => receiver.seen.filter((r) => r.body.type === 'ping').length, { timeout: 20_000 }).toBe(1);
    const ping = receiver.seen.find((r) => r.body.type === 'ping')!;
    expect(verifies(String(ping.headers['x-chorus-signature']), ping.raw, secret)).toBe(true);
    const pingRow = log.getByTestId('webhook-delivery').filter({ hasText: 'ping' });
    await expect(async () => {
      await log.getByRole('button', { name: 'Refresh' }).click();
      await expect(pingRow).toHaveAttribute('data-state', 'delivered', { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });

    // 8. "Send again": the same event (same event id), a new delivery.
    const before = receiver.seen.filter(isOurs).length;
    await log.getByRole('button', { name: 'Send the message.created event again' }).first().click();
    await expect.poll(() => receiver.seen.filter(isOurs).length, { timeout: 20_000 }).toBe(before + 1);
    const again = receiver.seen.filter(isOurs).at(-1)!;
    expect(again.headers['x-chorus-event-id']).toBe(got.headers['x-chorus-event-id']);
    expect(again.headers['x-chorus-delivery']).not.toBe(got.headers['x-chorus-delivery']);
    expect(verifies(String(again.headers['x-chorus-signature']), again.raw, secret)).toBe(true);

    // 9. The filter, then off: the switch saves and the row says so.
    await log.getByRole('group', { name: 'Show deliveries' }).getByRole('button', { name: 'Failed' }).click();
    await expect(log).toContainText('No deliveries have failed.');
    await log.getByRole('group', { name: 'Show deliveries' }).getByRole('button', { name: 'All' }).click();
    await expect(log.getByTestId('webhook-delivery').first()).toBeVisible();
    await row.getByRole('switch', { name: `Switch off ${receiver.url}` }).click();
    await expect(row.getByRole('switch', { name: `Switch on ${receiver.url}` })).not.toBeChecked();
    await expect(row).toContainText('Off');
    await page.reload();
    await expect(page.getByTestId('webhook-endpoint').filter({ hasText: receiver.url }).getByRole('switch', { name: `Switch on ${receiver.url}` })).not.toBeChecked();

    // 10. An endpoint nobody answers at: its test event fails, is retried, and the row turns red.
    const dead = await deadUrl();
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const second = page.getByRole('dialog', { name: 'New webhook endpoint' });
    await second.getByLabel('Endpoint URL').fill(dead);
    await second.getByLabel('Description (optional)').fill('Nobody listens here');
    await second.getByLabel('Select all').check();
    await second.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByRole('dialog', { name: 'Endpoint added: copy its signing secret' }).getByRole('button', { name: 'I have copied it' }).click();
    const deadRow = page.getByTestId('webhook-endpoint').filter({ hasText: dead });
    await expect(deadRow.locator('.chip')).toHaveCount(6);
    await deadRow.getByRole('button', { name: `Send a test event to ${dead}` }).click();
    const deadLog = deadRow.getByTestId('delivery-log');
    const failedPing = deadLog.getByTestId('webhook-delivery').filter({ hasText: 'ping' });
    await expect(async () => {
      await deadLog.getByRole('button', { name: 'Refresh' }).click();
      await expect(failedPing.getByTestId('delivery-attempts')).not.toHaveText('0 attempts', { timeout: 2_000 });
    }).toPass({ timeout: 20_000 });
    await expect(failedPing).toHaveAttribute('data-state', /pending|failed/);
    await expect(failedPing.getByTestId('delivery-status')).toHaveText('No answer');
    await expect(failedPing.getByTestId('delivery-response')).toContainText('Could not connect');
    await expect(deadRow.getByTestId('endpoint-health-dot')).toHaveAttribute('data-health', 'failing');
    await expect(deadRow.getByTestId('endpoint-health')).toContainText('Last failure');
    await shot(page, '05-list');

    // 11. In Spanish at phone width (for the screenshot and a few strings).
    await page.evaluate(() => localStorage.setItem('chorus.lang', 'es'));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Cómo verificar un envío' })).toBeVisible();
    const esRow = page.getByTestId('webhook-endpoint').filter({ hasText: dead });
    await esRow.getByRole('button', { name: `Mostrar los envíos a ${dead}` }).click();
    await expect(esRow.getByTestId('webhook-delivery').first()).toContainText('Sin respuesta');
    await shot(page, '06-es-phone');
    await page.evaluate(() => localStorage.removeItem('chorus.lang'));
    await phoneCtx.close();
  } finally {
    await ctx.close();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  }
});
