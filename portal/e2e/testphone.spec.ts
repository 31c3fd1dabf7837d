// Media, templates and the test phone against a real Chorus server: a new business's owner opens
// the test phone in a second browser; the customer writes; the conversation shows up unread in
// the inbox without a reload; the agent claims it, replies with text and with a picture (the
// phone shows both with read ticks and the picture really loads); the customer sends a photo
// back; the agent writes a template with a quick-reply button on the Templates page, sends it
// from the template picker, and the customer taps the button on the phone. Then resolve/reopen,
// and the Numbers page with the webhook address.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR, like the other specs (infra/e2e.sh sets both).
import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { logIn, newOwner, signUpAndLogIn } from './account';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');
const SHOTS = fileURLToPath(new URL('../test-results/testphone/', import.meta.url));

let step = 0;
async function shot(page: Page, name: string) {
  step += 1;
  await page.screenshot({ path: path.join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

// A small but real PNG (a colour gradient), so the picture is visible in the screenshots.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function gradientPng(width: number, height: number, from: [number, number, number], to: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const f = (x / width + y / height) / 2;
      for (let i = 0; i < 3; i++) row[1 + x * 3 + i] = Math.round(from[i] + (to[i] - from[i]) * f);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Waits until the <img> inside `scope` has really loaded (not a broken image). */
async function expectImageLoaded(scope: Locator) {
  const img = scope.locator('img').first();
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
}

test('media, templates and tappable buttons between the inbox and the test phone', async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = newOwner('media');
  const dir = mkdtempSync(path.join(tmpdir(), 'chorus-e2e-'));
  const sneakers = path.join(dir, 'red-sneakers.png');
  writeFileSync(sneakers, gradientPng(320, 220, [220, 38, 38], [250, 204, 21]));
  const receipt = path.join(dir, 'receipt.png');
  writeFileSync(receipt, gradientPng(200, 260, [15, 118, 110], [37, 99, 235]));

  // 1. The owner signs up; the same person opens the test phone in a second browser.
  const agentContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const inbox = await agentContext.newPage();
  await signUpAndLogIn(inbox, owner, { base: BASE, mailDir: MAIL_DIR });
  const phoneContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const phone = await phoneContext.newPage();
  await logIn(phone, owner);
  await phone.goto('/test-phone');
  await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();

  // 2. The customer writes; the inbox shows the conversation, unread, without a reload.
  const phoneInput = phone.getByLabel('Message as the customer');
  await phoneInput.fill('Hi! Could you send me a photo of the red sneakers?');
  await phoneInput.press('Enter');
  const phoneThread = phone.getByTestId('phone-thread');
  await expect(phoneThread.getByTestId('message').filter({ hasText: 'red sneakers' })).toBeVisible();
  const item = inbox.getByTestId('conversation-item').filter({ hasText: 'Carla Cliente' });
  await expect(item).toBeVisible();
  await expect(item.getByTestId('unread-badge')).toHaveText('1');
  await shot(inbox, 'inbox-unread');

  // 3. The agent opens it (the badge goes) and claims it.
  await item.click();
  await expect(inbox.getByTestId('conversation-title')).toHaveText('Carla Cliente');
  await expect(item.getByTestId('unread-badge')).toHaveCount(0);
  await expect(inbox.getByTestId('assignee')).toHaveText('Unassigned');
  await inbox.getByRole('button', { name: 'Assign to me' }).click();
  await expect(inbox.getByTestId('assignee')).toHaveText('You');
  await expect(item.getByTestId('conversation-assignee')).toHaveText('You');

  // 4. A text reply, then a picture with a caption.
  const composer = inbox.getByLabel('Reply');
  await composer.fill('Sure, here it is:');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await inbox.getByTestId('composer-file').setInputFiles(sneakers);
  const attachment = inbox.getByTestId('composer-attachment');
  await expect(attachment).toContainText('red-sneakers.png');
  await expect(inbox.getByRole('button', { name: 'Send', exact: true })).toBeEnabled();
  await composer.fill('Red sneakers, size 42');
  await composer.press('Enter');
  await expect(attachment).toHaveCount(0);
  const messages = inbox.getByTestId('messages');
  const sentImage = messages.getByTestId('message').filter({ hasText: 'Red sneakers, size 42' });
  await expect(sentImage).toHaveAttribute('data-kind', 'image');
  await expectImageLoaded(sentImage);

  // 5. The phone shows both, read (the open phone reads them), and the picture loads.
  const phoneText = phoneThread.getByTestId('message').filter({ hasText: 'Sure, here it is:' });
  await expect(phoneText.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');
  const phoneImage = phoneThread.getByTestId('message').filter({ hasText: 'Red sneakers, size 42' });
  await expect(phoneImage).toHaveAttribute('data-kind', 'image');
  await expectImageLoaded(phoneImage);
  await expect(phoneImage.getByTestId('ticks')).toHaveAttribute('aria-label', /Delivered|Read/);
  await expect(phoneImage.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');
  await shot(phone, 'phone-text-and-picture');
  await expect(sentImage.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');

  // 6. The customer sends a photo back; the inbox shows it once downloaded, full size on click.
  await phoneInput.fill('Here is my receipt');
  await phone.getByTestId('phone-photo').setInputFiles(receipt);
  const phoneSent = phoneThread.getByTestId('message').filter({ hasText: 'Here is my receipt' });
  await expect(phoneSent).toHaveAttribute('data-kind', 'image');
  const inboundImage = messages.getByTestId('message').filter({ hasText: 'Here is my receipt' });
  await expect(inboundImage).toHaveAttribute('data-direction', 'inbound');
  await expectImageLoaded(inboundImage);
  await shot(inbox, 'inbox-media');
  await inboundImage.getByTestId('media-image').click();
  const viewer = inbox.getByTestId('image-viewer');
  await expect(viewer).toBeVisible();
  await expect.poll(() => viewer.locator('img').evaluate((el: HTMLImageElement) => el.naturalWidth)).toBe(200);
  await inbox.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);

  // 7. Templates: the sandbox comes with approved ones; write one with a quick-reply button.
  await inbox.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Templates' }).click();
  await expect(inbox.getByRole('heading', { name: 'Message templates', level: 1 })).toBeVisible();
  await expect(inbox.getByTestId('template-row').first()).toBeVisible();
  await inbox.getByRole('button', { name: 'New template' }).click();
  const form = inbox.getByRole('dialog', { name: 'New message template' });
  await form.getByLabel('Name').fill('Delivery slot');
  await expect(form.getByLabel('Name')).toHaveValue('delivery_slot');
  await form.getByLabel('Message', { exact: true }).fill('Hi {{1}}, your sneakers can arrive on {{2}}. Does that work?');
  await form.getByLabel('Example for {{1}} (message)').fill('Carla');
  await form.getByLabel('Example for {{2}} (message)').fill('Friday');
  await form.getByLabel('Footer (optional)').fill('Acme Shoes');
  await form.getByRole('button', { name: 'Add button' }).click();
  await form.getByRole('textbox', { name: 'Button 1' }).fill('Yes, Friday');
  await form.getByRole('button', { name: 'Add button' }).click();
  await form.getByRole('textbox', { name: 'Button 2' }).fill('Another day');
  await expect(form.getByTestId('template-preview')).toContainText('Hi Carla, your sneakers can arrive on Friday.');
  await shot(inbox, 'template-form');
  await form.getByRole('button', { name: 'Submit for review' }).click();
  await expect(form).toHaveCount(0);
  const row = inbox.getByTestId('template-row').filter({ hasText: 'delivery_slot' });
  await expect(row.getByTestId('template-status')).toHaveText('Approved');
  await shot(inbox, 'templates-page');

  // 8. The template picker: choose it, fill the variables, watch the preview, send.
  await inbox.goBack();
  await expect(inbox.getByTestId('conversation-title')).toHaveText('Carla Cliente');
  await inbox.getByRole('button', { name: 'Send a template' }).click();
  const picker = inbox.getByRole('dialog', { name: 'Send a template' });
  await picker.getByRole('option', { name: /delivery_slot/ }).click();
  await picker.getByRole('button', { name: 'Send template' }).click();
  await expect(picker.getByText('Fill this in.').first()).toBeVisible();
  await picker.getByLabel('Message {{1}}').fill('Carla');
  await picker.getByLabel('Message {{2}}').fill('Friday 28');
  await expect(picker.getByTestId('template-preview-body')).toHaveText('Hi Carla, your sneakers can arrive on Friday 28. Does that work?');
  await shot(inbox, 'template-picker');
  await picker.getByRole('button', { name: 'Send template' }).click();
  await expect(picker).toHaveCount(0);
  const sentTemplate = messages.getByTestId('message').filter({ hasText: 'Friday 28' });
  await expect(sentTemplate).toHaveAttribute('data-kind', 'template');
  await expect(sentTemplate).toContainText('Template: delivery_slot');

  // 9. The phone shows the template with its buttons; tapping one answers the business.
  const phoneTemplate = phoneThread.getByTestId('message').filter({ hasText: 'Friday 28' });
  await expect(phoneTemplate).toContainText('Acme Shoes');
  await expect(phoneTemplate.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');
  await shot(phone, 'phone-template');
  await phoneTemplate.getByRole('button', { name: 'Yes, Friday' }).click();
  await expect(phoneThread.getByTestId('message').filter({ hasText: 'Yes, Friday' }).last()).toHaveAttribute('data-direction', 'inbound');
  const tapped = messages.getByTestId('message').filter({ hasText: 'Button reply' }).filter({ hasText: 'Yes, Friday' });
  await expect(tapped).toBeVisible();
  await shot(phone, 'phone-tapped');
  await shot(inbox, 'inbox-tapped');

  // 10. Resolve and reopen.
  await inbox.getByRole('button', { name: 'Resolve' }).click();
  await expect(inbox.getByTestId('conversation-status')).toHaveText('Resolved');
  await expect(inbox.getByRole('button', { name: 'Reopen' })).toBeVisible();
  await inbox.getByRole('button', { name: 'Reopen' }).click();
  await expect(inbox.getByRole('button', { name: 'Resolve' })).toBeVisible();
  await expect(inbox.getByTestId('conversation-status')).toHaveCount(0);

  // 11. Numbers: throughput, and the webhook address for a business's own Meta app.
  await inbox.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'WhatsApp numbers' }).click();
  const sandboxRow = inbox.getByTestId('number-row').filter({ hasText: 'Sandbox' });
  await expect(sandboxRow).toContainText('messages / s');
  await expect(inbox.getByTestId('webhook-url')).toHaveValue(/\/webhooks\/whatsapp$/);
  await shot(inbox, 'numbers');

  await phoneContext.close();
  await agentContext.close();
});
