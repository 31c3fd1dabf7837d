// The inbox journey against a real Chorus server: a new business's owner opens the test phone in
// a second browser (same person, own session) and writes as a customer to the sandbox number; the
// conversation appears in the first browser's inbox without reloading; the owner answers; the
// phone shows the answer and its ticks move to read, in both browsers. Then a location and a
// button reply from the phone, and the Numbers settings page.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR, like foundation.spec.ts (infra/e2e.sh sets both).
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logIn, newOwner, signUpAndLogIn } from './account';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');
const SHOTS = fileURLToPath(new URL('../test-results/inbox/', import.meta.url));

let step = 0;
async function shot(page: Page, name: string) {
  step += 1;
  await page.screenshot({ path: path.join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

test('a customer writes from the test phone, the agent answers live, ticks reach read', async ({ browser }) => {
  test.setTimeout(120_000);
  const owner = newOwner('inbox');

  // 1. The owner signs up and lands on an empty inbox.
  const agentContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const inbox = await agentContext.newPage();
  await signUpAndLogIn(inbox, owner, { base: BASE, mailDir: MAIL_DIR });
  await expect(inbox.getByRole('heading', { name: 'No conversations yet' })).toBeVisible();
  await expect(inbox.getByRole('heading', { name: 'Select a conversation' })).toBeVisible();
  // The realtime socket is connected (updates below arrive through it, not the 5 s fallback).
  await expect(inbox.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
  await shot(inbox, 'inbox-empty');

  // 2. The same person opens the test phone in a second browser.
  const phoneContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const phone = await phoneContext.newPage();
  await logIn(phone, owner);
  await phone.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Test phone' }).click();
  await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();
  await expect(phone.getByLabel('Customer name')).toHaveValue('Carla Cliente');
  await expect(phone.getByLabel('Customer number')).toHaveValue('+34 600 111 222');
  await expect(phone.getByText('Say hello to start a conversation.')).toBeVisible();
  await shot(phone, 'phone-empty');

  // 3. The customer writes (two lines and a link).
  const phoneInput = phone.getByLabel('Message as the customer');
  await phoneInput.fill('Hola! Do you have the blue jacket in size M?');
  await phoneInput.press('Shift+Enter');
  await phoneInput.pressSequentially('https://shop.example.com/jacket');
  await phoneInput.press('Enter');
  const phoneThread = phone.getByTestId('phone-thread');
  await expect(phoneThread.getByTestId('message').filter({ hasText: 'blue jacket' })).toBeVisible();
  await expect(phoneInput).toHaveValue('');

  // 4. The conversation appears in the inbox without a reload.
  const item = inbox.getByTestId('conversation-item').filter({ hasText: 'Carla Cliente' });
  await expect(item).toBeVisible();
  await expect(item).toContainText('blue jacket');
  await shot(inbox, 'inbox-new-conversation');

  // 5. The agent opens it: contact, window countdown, the message with its link.
  await item.click();
  await expect(inbox).toHaveURL(/\/inbox\/[0-9a-f-]{36}$/);
  await expect(inbox.getByTestId('conversation-title')).toHaveText('Carla Cliente');
  await expect(inbox.getByTestId('conversation')).toContainText('+34 600 111 222');
  await expect(inbox.getByTestId('window-countdown')).toHaveText(/^Window closes in 2[34] h( \d+ min)?$/);
  const messages = inbox.getByTestId('messages');
  const first = messages.getByTestId('message').filter({ hasText: 'blue jacket' });
  await expect(first).toHaveAttribute('data-direction', 'inbound');
  await expect(first.getByRole('link', { name: 'https://shop.example.com/jacket' })).toHaveAttribute(
    'href',
    'https://shop.example.com/jacket',
  );
  await shot(inbox, 'inbox-conversation');

  // 6. The agent replies: Shift+Enter makes a new line, Enter sends; the reply shows at once.
  const composer = inbox.getByLabel('Reply');
  await composer.fill('Hi Carla! Yes, we have it in M.');
  await composer.press('Shift+Enter');
  await composer.pressSequentially('Shall I keep one for you?');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  const reply = messages.getByTestId('message').filter({ hasText: 'Hi Carla!' });
  await expect(reply).toBeVisible();
  await expect(reply).toHaveAttribute('data-direction', 'outbound');
  await expect(reply).toContainText('Shall I keep one for you?');

  // 7. The phone shows the reply; the open phone reads it, so the ticks turn blue.
  const phoneReply = phoneThread.getByTestId('message').filter({ hasText: 'Hi Carla!' });
  await expect(phoneReply).toBeVisible();
  await expect(phoneReply.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');
  await shot(phone, 'phone-reply-read');

  // 8. …and in the inbox, still without a reload.
  await expect(reply.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');
  await shot(inbox, 'inbox-reply-read');

  // 9. A location and a button reply from the phone render in the inbox.
  await phone.getByRole('button', { name: 'Location' }).click();
  await phone.getByRole('menuitem', { name: /Puerta del Sol, Madrid/ }).click();
  await expect(phoneThread.getByTestId('message').filter({ hasText: 'Puerta del Sol' })).toBeVisible();
  await phone.getByRole('button', { name: 'Button reply' }).click();
  await phone.getByRole('menuitem', { name: 'Yes, confirm' }).click();
  await expect(phoneThread.getByTestId('message').filter({ hasText: 'Yes, confirm' })).toBeVisible();
  await shot(phone, 'phone-location-button');

  const location = messages.getByTestId('message').filter({ hasText: 'Puerta del Sol, Madrid' });
  await expect(location).toHaveAttribute('data-kind', 'location');
  await expect(location.getByRole('link', { name: 'Open in OpenStreetMap' })).toHaveAttribute(
    'href',
    /^https:\/\/www\.openstreetmap\.org\/\?mlat=40\.416775&mlon=-3\.70379#map=/,
  );
  const button = messages.getByTestId('message').filter({ hasText: 'Yes, confirm' });
  await expect(button).toHaveAttribute('data-kind', 'interactive');
  await expect(button).toContainText('Button reply');
  await expect(item).toContainText('Yes, confirm');
  await shot(inbox, 'inbox-location-button');

  // 10. Status tabs: the conversation is open, nothing is resolved yet.
  await inbox.getByRole('tab', { name: 'Resolved' }).click();
  await expect(inbox.getByText('No resolved conversations yet.')).toBeVisible();
  await inbox.getByRole('tab', { name: 'Open' }).click();
  await expect(item).toBeVisible();

  // 11. Numbers: the sandbox number is listed; the connect form checks its fields.
  await inbox.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'WhatsApp numbers' }).click();
  await expect(inbox.getByRole('heading', { name: 'WhatsApp numbers', level: 1 })).toBeVisible();
  const sandboxRow = inbox.getByTestId('number-row').filter({ hasText: 'Sandbox' });
  await expect(sandboxRow).toContainText('+1 555 000 0000');
  await expect(sandboxRow).toContainText('Connected');
  await expect(sandboxRow.getByRole('button', { name: 'Disconnect' })).toHaveCount(0);
  await shot(inbox, 'numbers');
  await inbox.getByRole('button', { name: 'Connect a number' }).click();
  const dialog = inbox.getByRole('dialog', { name: 'Connect a WhatsApp number' });
  await dialog.getByLabel('Phone number ID').fill('12ab');
  await dialog.getByLabel('Access token', { exact: true }).fill('short');
  await dialog.getByRole('button', { name: 'Connect' }).click();
  await expect(dialog.getByText('Use digits only.')).toBeVisible();
  await expect(dialog.getByText('Paste the whole access token (no spaces).')).toBeVisible();
  await shot(inbox, 'numbers-connect-form');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // 12. The inbox in Spanish.
  await inbox.getByTestId('language-picker').selectOption('es');
  await inbox.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link', { name: 'Bandeja de entrada' }).click();
  await expect(inbox.getByRole('heading', { name: 'Bandeja de entrada', level: 1 })).toBeVisible();
  await item.click();
  await expect(inbox.getByTestId('window-countdown')).toHaveText(/^La ventana se cierra en 2[34] h/);
  await expect(inbox.getByLabel('Respuesta')).toBeVisible();
  await shot(inbox, 'inbox-spanish');

  // 13. On a phone-sized screen the conversation takes the whole width, with a way back.
  await inbox.setViewportSize({ width: 390, height: 844 });
  await expect(inbox.getByRole('link', { name: 'Volver a las conversaciones' })).toBeVisible();
  await shot(inbox, 'inbox-narrow');
  await inbox.getByRole('link', { name: 'Volver a las conversaciones' }).click();
  await expect(item).toBeVisible();
  await shot(inbox, 'inbox-narrow-list');

  await phoneContext.close();
  await agentContext.close();
});
