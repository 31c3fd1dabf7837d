// The team inbox with two agents in two browsers, through a real Chorus server. The owner
// (a third browser) plays the customer on the test phone. One business is set up once through
// the API (sign-up, verification link, two invitations accepted from the mails); then, in order:
//   a. live arrival: the customer writes; both agents see the conversation appear, no reload;
//   b. the collision lock: Ana types a reply; Bruno sees "Ana is typing…", his send is refused
//      with the 409 banner naming Ana, and "Send anyway" sends it (the phone shows it);
//   c. a mention: Ana leaves an internal note mentioning Bruno; his bell shows it without a
//      reload; clicking opens the conversation; the note is marked internal; the phone never
//      shows it;
//   d. a canned reply: Ana creates one in Settings → Canned responses, types "/" + shortcut in
//      the composer, picks it; the text arrives with the contact's name filled in, is sent, and
//      the phone shows it;
//   e. the away message: on Settings → Business hours the owner removes every opening period and
//      switches the away message on;
//      a new customer writes; the phone shows the away message and Ana's timeline marks it
//      "Automatic".
//   f. round-robin: with a Sales team set to round-robin and the number routed to it, two new
//      customers end up one in each agent's "Mine" tab, live, with the reason in the timeline.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR (infra/e2e.sh sets both).
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logIn } from './account';
import { call, setUpTeam, type Team } from './team';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');
const SHOTS = fileURLToPath(new URL('../test-results/team/', import.meta.url));

let step = 0;
async function shot(page: Page, name: string) {
  step += 1;
  await page.screenshot({ path: path.join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

test.describe.configure({ mode: 'serial' });

let team: Team;
const contexts: BrowserContext[] = [];
let phone: Page;
let ana: Page;
let bruno: Page;

async function openAs(browser: Browser, who: { email: string; password: string; business: string; name: string }) {
  const ctx = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await logIn(page, who);
  return page;
}

/** The owner's test phone, as this customer. */
async function phoneAs(name: string, number: string) {
  await phone.getByLabel('Customer name').fill(name);
  await phone.getByLabel('Customer number').fill(number);
}

async function customerWrites(text: string) {
  const input = phone.getByLabel('Message as the customer');
  await input.fill(text);
  await input.press('Enter');
  await expect(phone.getByTestId('phone-thread').getByTestId('message').filter({ hasText: text })).toBeVisible();
  await expect(input).toHaveValue('');
}

const phoneThread = () => phone.getByTestId('phone-thread');
const item = (page: Page, name: string) => page.getByTestId('conversation-item').filter({ hasText: name });

async function openConversation(page: Page, name: string) {
  await item(page, name).click();
  await expect(page.getByTestId('conversation-title')).toHaveText(name);
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(60_000);
  team = await setUpTeam(BASE, MAIL_DIR);
  phone = await openAs(browser, team.owner);
  await phone.goto('/test-phone');
  await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();
  ana = await openAs(browser, team.a);
  bruno = await openAs(browser, team.b);
  for (const p of [ana, bruno]) await expect(p.getByTestId('live-indicator')).toHaveAttribute('data-status', 'live');
});

test.afterAll(async () => {
  for (const c of contexts) await c.close();
});

test('a. a customer writes and both agents see the conversation arrive without reloading', async () => {
  await expect(ana.getByRole('heading', { name: 'No conversations yet' })).toBeVisible();
  await expect(bruno.getByRole('heading', { name: 'No conversations yet' })).toBeVisible();
  await phoneAs('Dora Díaz', '+34 611 000 001');
  await customerWrites('Hello, is my order 4411 on its way?');
  for (const p of [ana, bruno]) {
    await expect(item(p, 'Dora Díaz')).toBeVisible();
    await expect(item(p, 'Dora Díaz')).toContainText('order 4411');
  }
  await shot(ana, 'ana-arrival');
  await shot(bruno, 'bruno-arrival');
});

test('b. while Ana types, Bruno sees it, is refused with her name, and can send anyway', async () => {
  await openConversation(ana, 'Dora Díaz');
  await openConversation(bruno, 'Dora Díaz');
  // Each sees the other viewing.
  await expect(ana.getByTestId('viewers')).toContainText('Bruno Blanco');

  const anaBox = ana.getByLabel('Reply');
  await anaBox.fill('Let me check the tracking for you');
  await expect(bruno.getByTestId('typing-indicator')).toHaveText(/Ana Álvarez is typing…/);
  await shot(bruno, 'bruno-sees-ana-typing');

  const brunoBox = bruno.getByLabel('Reply');
  await brunoBox.fill('It left our warehouse this morning.');
  await expect(bruno.getByTestId('composer-lock')).toContainText('Ana Álvarez');
  await brunoBox.press('Enter');
  const banner = bruno.getByTestId('composer-conflict');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Ana Álvarez');
  await expect(brunoBox).toHaveValue('It left our warehouse this morning.');
  await shot(bruno, 'bruno-409-banner');

  await banner.getByRole('button', { name: 'Send anyway' }).click();
  await expect(banner).toHaveCount(0);
  await expect(brunoBox).toHaveValue('');
  const sent = bruno.getByTestId('messages').getByTestId('message').filter({ hasText: 'warehouse this morning' });
  await expect(sent).toHaveAttribute('data-direction', 'outbound');
  await expect(phoneThread().getByTestId('message').filter({ hasText: 'warehouse this morning' })).toBeVisible();
  // Ana sees Bruno's reply arrive live, then gives up her draft (releasing the lease).
  await expect(ana.getByTestId('messages').getByTestId('message').filter({ hasText: 'warehouse this morning' })).toBeVisible();
  await shot(ana, 'ana-sees-bruno-reply');
  await anaBox.fill('');
  await expect(bruno.getByTestId('typing-indicator')).toHaveCount(0);
  await shot(phone, 'phone-forced-reply');
});

test('c. a note mentioning Bruno rings his bell live, opens the conversation, never reaches the phone', async () => {
  // Bruno is elsewhere.
  await bruno.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inbox' }).click();
  await expect(bruno.getByRole('heading', { name: 'Select a conversation' })).toBeVisible();
  await expect(bruno.getByTestId('notifications-count')).toHaveCount(0);

  await ana.getByRole('button', { name: 'Note', exact: true }).click();
  const note = ana.getByLabel('Internal note');
  await note.pressSequentially('@Bru');
  const menu = ana.getByTestId('mention-menu');
  await menu.getByRole('option', { name: /Bruno Blanco/ }).click();
  await note.pressSequentially(' can you confirm the courier? Secret code 7788');
  await shot(ana, 'ana-writes-note');
  await note.press('Enter');
  const saved = ana.getByTestId('messages').getByTestId('note').filter({ hasText: 'Secret code 7788' });
  await expect(saved).toBeVisible();
  await expect(saved).toContainText('Internal note');

  await expect(bruno.getByTestId('notifications-count')).toHaveText('1');
  await bruno.getByTestId('notifications-bell').click();
  const n = bruno.getByTestId('notifications-menu').getByTestId('notification').first();
  await expect(n).toContainText('Ana Álvarez');
  await shot(bruno, 'bruno-bell');
  await n.click();
  await expect(bruno.getByTestId('conversation-title')).toHaveText('Dora Díaz');
  const seen = bruno.getByTestId('messages').getByTestId('note').filter({ hasText: 'Secret code 7788' });
  await expect(seen).toBeVisible();
  await expect(seen).toHaveAttribute('data-direction', 'internal');
  await expect(seen).toContainText('Internal note · Ana Álvarez');
  await expect(bruno.getByTestId('notifications-count')).toHaveCount(0);
  await shot(bruno, 'bruno-opens-note');

  // The phone has the forced reply but not the note, on screen and in the sandbox's record.
  await phone.reload();
  await expect(phoneThread().getByTestId('message').filter({ hasText: 'warehouse this morning' })).toBeVisible();
  await expect(phoneThread()).not.toContainText('7788');
  const screen = await call<{ items: { body: string | null }[] }>(BASE, 'GET', '/api/v1/sandbox/messages?from=34611000001', undefined, team.ownerToken);
  expect(screen.items.length).toBeGreaterThan(0);
  expect(JSON.stringify(screen.items)).not.toContain('7788');
  await shot(phone, 'phone-without-note');
  await ana.getByRole('button', { name: 'Reply', exact: true }).click();
});

test('d. a canned reply made in Settings is picked with /shortcut, filled in and sent', async () => {
  await ana.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Canned responses' }).click();
  await expect(ana.getByRole('heading', { name: 'Canned responses', level: 1 })).toBeVisible();
  await ana.getByRole('button', { name: 'New canned response' }).click();
  const dialog = ana.getByRole('dialog', { name: 'New canned response' });
  await dialog.getByLabel('Shortcut').fill('tracking');
  await dialog.getByLabel('Title (optional)').fill('Tracking link');
  await dialog.getByLabel('Text', { exact: true }).fill('Hi {{contact.name}}, you can follow your parcel at https://track.example.com');
  await shot(ana, 'canned-dialog');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(ana.getByRole('row').filter({ hasText: '/tracking' })).toBeVisible();
  await shot(ana, 'canned-list');

  await ana.goBack();
  await expect(ana.getByTestId('conversation-title')).toHaveText('Dora Díaz');
  const box = ana.getByLabel('Reply');
  await box.pressSequentially('/trac');
  const picker = ana.getByTestId('canned-picker');
  const option = picker.getByRole('option', { name: /\/tracking/ });
  await expect(option).toContainText('Hi Dora Díaz, you can follow');
  await shot(ana, 'canned-picker');
  await option.click();
  await expect(box).toHaveValue('Hi Dora Díaz, you can follow your parcel at https://track.example.com');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(ana.getByTestId('messages').getByTestId('message').filter({ hasText: 'follow your parcel' })).toHaveAttribute('data-direction', 'outbound');
  const onPhone = phoneThread().getByTestId('message').filter({ hasText: 'Hi Dora Díaz, you can follow your parcel' });
  await expect(onPhone).toBeVisible();
  await shot(phone, 'phone-canned');
});

test('e. outside business hours the customer gets the away message, marked automatic', async () => {
  const away = 'Thanks for writing! We are closed right now and answer from 9:00.';
  // The owner closes the business on the Business hours page: every period removed (a day
  // without periods is closed), the away message on.
  await phone.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Business hours' }).click();
  await expect(phone.getByRole('heading', { name: 'Business hours', level: 1 })).toBeVisible();
  // A new business starts from Monday-Friday 09:00-18:00.
  await expect(phone.getByTestId('hours-day-mon').getByLabel('Monday period 1 opens')).toHaveValue('09:00');
  const remove = phone.getByRole('button', { name: /^Remove .* period 1$/ });
  while ((await remove.count()) > 0) await remove.first().click();
  await expect(phone.getByTestId('hours-week').getByText('Closed')).toHaveCount(7);
  await phone.getByLabel('Send an away message outside business hours').check();
  await phone.getByLabel('Away message', { exact: true }).fill(away);
  await phone.getByRole('button', { name: 'Save business hours' }).click();
  await expect(phone.getByTestId('open-now')).toHaveText('Closed now');
  await shot(phone, 'business-hours-closed');
  const saved = await call<{ items: { settings: { away_enabled: boolean; periods: unknown[] }; open_now: boolean }[] }>(BASE, 'GET', '/api/v1/business-hours', undefined, team.ownerToken);
  expect(saved.items[0]).toMatchObject({ open_now: false, settings: { away_enabled: true, periods: [] } });

  await phone.goto('/test-phone');
  await phoneAs('Elena Ortiz', '+34 611 000 002');
  await customerWrites('Are you open on Sunday?');
  const onPhone = phoneThread().getByTestId('message').filter({ hasText: away });
  await expect(onPhone).toBeVisible({ timeout: 20_000 });
  await expect(onPhone).toHaveAttribute('data-direction', 'outbound');
  // Really sent through the send path: the open phone reads it.
  await expect(onPhone.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read', { timeout: 20_000 });
  await shot(phone, 'phone-away');

  await ana.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inbox' }).click();
  await openConversation(ana, 'Elena Ortiz');
  const auto = ana.getByTestId('messages').getByTestId('message').filter({ hasText: away });
  await expect(auto).toHaveAttribute('data-direction', 'outbound');
  await expect(auto.getByTestId('msg-automatic')).toHaveText('Automatic');
  await expect(auto).not.toContainText('You');
  await expect(auto.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');
  await shot(ana, 'ana-away-automatic');
});

test('f. round-robin: a team shares new conversations between its online agents', async () => {
  // Through the API: a Sales team with both agents, round-robin, and the sandbox number routed to it.
  const t = team.ownerToken;
  const agents = await call<{ items: { id: string; email: string }[] }>(BASE, 'GET', '/api/v1/agents', undefined, t);
  const idOf = (email: string) => agents.items.find((x) => x.email === email)?.id;
  const sales = await call<{ id: string }>(BASE, 'POST', '/api/v1/teams', { name: 'Sales', member_ids: [idOf(team.a.email), idOf(team.b.email)] }, t);
  await call(BASE, 'PUT', `/api/v1/routing/teams/${sales.id}`, { assignment: 'round_robin' }, t);
  const numbers = await call<{ items: { id: string }[] } | { id: string }[]>(BASE, 'GET', '/api/v1/numbers', undefined, t);
  const sandbox = (Array.isArray(numbers) ? numbers : numbers.items)[0].id;
  await call(BASE, 'PUT', `/api/v1/routing/numbers/${sandbox}`, { team_id: sales.id }, t);
  // Both agents have the inbox open (their sockets keep them online); each looks at "Mine".
  for (const page of [ana, bruno]) {
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inbox' }).click();
    await page.getByTestId('assignee-tab-me').click();
    await page.mouse.move(10, 10);
  }
  await phoneAs('Fabio Gil', '+34 611 000 003');
  await customerWrites('I want to buy two jackets');
  await phoneAs('Gala Ruiz', '+34 611 000 004');
  await customerWrites('Do you ship to Portugal?');
  // Each agent gets one of the two, live, in "Mine".
  const mine = (page: Page) => page.getByTestId('conversation-item').filter({ hasText: /Fabio Gil|Gala Ruiz/ });
  await expect(mine(ana)).toHaveCount(1, { timeout: 20_000 });
  await expect(mine(bruno)).toHaveCount(1, { timeout: 20_000 });
  const anaGot = (await mine(ana).textContent()) ?? '';
  const brunoGot = (await mine(bruno).textContent()) ?? '';
  expect(anaGot.includes('Fabio Gil')).not.toBe(brunoGot.includes('Fabio Gil'));
  await shot(ana, 'ana-round-robin');
  await shot(bruno, 'bruno-round-robin');
  // The timeline says why.
  await mine(ana).click();
  await expect(ana.getByTestId('activity').filter({ hasText: 'by round-robin in Sales' })).toBeVisible();
  await shot(ana, 'ana-round-robin-reason');
});
