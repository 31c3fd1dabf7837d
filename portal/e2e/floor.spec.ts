// Satisfaction surveys, the supervisor floor and number quality against a real Chorus server: the
// owner switches CSAT on in the settings; a customer writes on the test phone, the agent replies
// and resolves; the phone shows the rating list and the customer picks 5 stars; the conversation
// panel shows the 5-star survey. The floor shows the counters, and open / waiting change live when
// another customer writes (no reload). Screenshots go to /tmp/floor-*.png.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR, like the other specs (infra/e2e.sh sets both).
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { logIn, newOwner, signUpAndLogIn } from './account';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/floor-${name}.png`, fullPage: true });
}

test('CSAT survey from resolve to 5 stars, and the live floor', async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = newOwner('floor');
  const agentContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const inbox = await agentContext.newPage();
  await signUpAndLogIn(inbox, owner, { base: BASE, mailDir: MAIL_DIR });
  const nav = inbox.getByRole('navigation', { name: 'Main navigation' });

  // 1. CSAT on, in the UI.
  await nav.getByRole('link', { name: 'Satisfaction surveys' }).click();
  await expect(inbox.getByRole('heading', { name: 'Satisfaction surveys', level: 1 })).toBeVisible();
  const toggle = inbox.getByLabel('Ask for a rating when a conversation is resolved');
  await expect(toggle).not.toBeChecked();
  await expect(inbox.getByLabel('Question')).toHaveAttribute('placeholder', 'How would you rate the help you got?');
  await toggle.check();
  await inbox.getByRole('button', { name: 'Save survey settings' }).click();
  await expect(inbox.getByText('Survey settings saved.')).toBeVisible();
  await shot(inbox, 'csat-settings');
  await inbox.reload();
  await expect(inbox.getByLabel('Ask for a rating when a conversation is resolved')).toBeChecked();

  // 2. A customer writes on the test phone.
  const phoneContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const phone = await phoneContext.newPage();
  await logIn(phone, owner);
  await phone.goto('/test-phone');
  await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();
  const phoneThread = phone.getByTestId('phone-thread');
  async function customerWrites(name: string, number: string, text: string) {
    await phone.getByLabel('Customer name').fill(name);
    await phone.getByLabel('Customer number').fill(number);
    const input = phone.getByLabel('Message as the customer');
    await input.fill(text);
    await input.press('Enter');
    await expect(phoneThread.getByTestId('message').filter({ hasText: text })).toBeVisible();
  }
  await customerWrites('Carla Cliente', '+34 600 111 222', 'Hi! Where is my order #1042?');

  // 3. The agent replies and resolves.
  await nav.getByRole('link', { name: 'Inbox' }).click();
  const item = inbox.getByTestId('conversation-item').filter({ hasText: 'Carla Cliente' });
  await item.click();
  await expect(inbox.getByTestId('conversation-title')).toHaveText('Carla Cliente');
  await inbox.getByRole('button', { name: 'Assign to me' }).click();
  await expect(inbox.getByTestId('assignee')).toHaveText('You');
  const composer = inbox.getByLabel('Reply');
  await composer.fill('It left the warehouse today, it arrives tomorrow.');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await expect(phoneThread.getByTestId('message').filter({ hasText: 'arrives tomorrow' })).toBeVisible();
  await inbox.getByRole('button', { name: 'Resolve' }).click();
  await expect(inbox.getByTestId('conversation-status')).toHaveText('Resolved');

  // 4. The phone shows the rating list; the customer picks 5 stars.
  const surveyOnPhone = phoneThread.getByTestId('message').filter({ hasText: 'How would you rate the help you got?' });
  await expect(surveyOnPhone).toBeVisible({ timeout: 20_000 });
  await surveyOnPhone.getByRole('button', { name: 'Rate us' }).click();
  await phone.getByRole('menuitem', { name: /★★★★★ 5/ }).click();
  await expect(phoneThread.getByTestId('message').filter({ hasText: '★★★★★ 5' }).last()).toHaveAttribute('data-direction', 'inbound');
  const phoneInput = phone.getByLabel('Message as the customer');
  await phoneInput.fill('Super fast, thanks!');
  await phoneInput.press('Enter');
  await expect(phoneThread.getByTestId('message').filter({ hasText: 'Super fast, thanks!' })).toBeVisible();
  await shot(phone, 'phone-rating');

  // 5. The conversation panel shows the 5-star survey (it stays resolved).
  const panelSurvey = inbox.getByTestId('panel-csat');
  await expect(panelSurvey.getByTestId('csat-stars')).toHaveAttribute('data-score', '5', { timeout: 20_000 });
  await expect(panelSurvey).toContainText('Super fast, thanks!', { timeout: 20_000 });
  await expect(inbox.getByTestId('conversation-status')).toHaveText('Resolved');
  const threadSurvey = inbox.getByTestId('messages').getByTestId('message').filter({ hasText: 'How would you rate the help you got?' });
  await expect(threadSurvey.getByTestId('msg-automatic')).toHaveText('Automatic · Satisfaction survey');
  await shot(inbox, 'survey-panel');

  // 6. The floor: counters now, then live when another customer writes.
  await nav.getByRole('link', { name: 'Floor' }).click();
  await expect(inbox.getByRole('heading', { name: 'Floor', level: 1 })).toBeVisible();
  const openValue = inbox.getByTestId('floor-open-value');
  await expect(openValue).toHaveText('0');
  await expect(inbox.getByTestId('floor-waiting-value')).toHaveText('0');
  await expect(inbox.getByTestId('floor-agent').filter({ hasText: owner.name })).toBeVisible();
  await expect(inbox.getByTestId('floor-updated')).toBeVisible();
  await customerWrites('Nico Brown', '+1 415 555 0102', 'Do you ship to Portugal?');
  await expect(openValue).toHaveText('1', { timeout: 10_000 });
  await expect(inbox.getByTestId('floor-waiting-value')).toHaveText('1');
  await expect(inbox.getByTestId('floor-unassigned-value')).toHaveText('1');
  await expect(inbox.getByTestId('floor-waiting')).toContainText(/Longest wait (under a minute|\d+ min)/);
  await customerWrites('Marta Ruiz', '+34 622 000 101', 'Hola, ¿tenéis la talla 42?');
  await expect(openValue).toHaveText('2', { timeout: 10_000 });
  await shot(inbox, 'floor');
  await inbox.setViewportSize({ width: 390, height: 844 });
  await shot(inbox, 'floor-390');
  await inbox.setViewportSize({ width: 1366, height: 860 });

  // 7. Number quality: the sandbox number's quality view, and its window selector.
  await nav.getByRole('link', { name: 'WhatsApp numbers' }).click();
  await inbox.getByTestId('number-row').filter({ hasText: 'Sandbox' }).getByRole('button', { name: /^Quality of/ }).click();
  const dialog = inbox.getByRole('dialog', { name: /^Quality of/ });
  await expect(dialog.getByTestId('number-quality')).toBeVisible();
  await expect(dialog.getByTestId('quality-counts')).toContainText('sent');
  await dialog.getByRole('button', { name: '7 days' }).click();
  await expect(dialog.getByRole('button', { name: '7 days' })).toHaveAttribute('aria-pressed', 'true');
  await expect(dialog.getByTestId('number-quality')).toBeVisible();
  await shot(inbox, 'quality');
  // The sandbox never fails a send: for a picture of the failures table only, the 30-day answer
  // is replaced by one with failures (the real endpoint is exercised above).
  await inbox.route('**/quality?hours=720', async (route) => {
    const real = await (await route.fetch()).json();
    await route.fulfill({
      json: {
        ...real,
        quality_rating: 'YELLOW',
        sent: 1240,
        failed: 96,
        failure_rate: 96 / 1240,
        by_code: [
          { code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.', explanation: 'Meta held the message back because this customer already got many marketing messages.', count: 71 },
          { code: 131026, title: 'Message undeliverable', explanation: 'The number is not on WhatsApp, or the customer has an old app version.', count: 25 },
        ],
      },
    });
  });
  await dialog.getByRole('button', { name: '30 days' }).click();
  await expect(dialog.getByTestId('quality-code')).toHaveCount(2);
  await shot(inbox, 'quality-failures');

  await phoneContext.close();
  await agentContext.close();
});
