// Reports against a real Chorus server: a new business's owner plays two customers on the test
// phone (three messages in all), answers both from the inbox and resolves one; then the Reports
// page shows those counts once the server has rolled them up (every 30 s: the page refreshes
// itself, and the test presses "Refresh" until they appear). The business-hours toggle, the
// heatmap, the agents table, the CSV download (with the token), a bad custom range at the date
// fields and the empty state of a range without activity. Screenshots of the whole page at
// 1440 × 900 and 390 px wide go to /tmp/reports-*.png.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR, like the other specs (infra/e2e.sh sets both).
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { logIn, newOwner, signUpAndLogIn } from './account';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');

async function customerWrites(phone: Page, lines: string[]) {
  const input = phone.getByLabel('Message as the customer');
  const thread = phone.getByTestId('phone-thread');
  for (const line of lines) {
    await input.fill(line);
    await input.press('Enter');
    await expect(thread.getByTestId('message').filter({ hasText: line })).toBeVisible();
  }
}

async function answer(inbox: Page, customer: string, reply: string) {
  const item = inbox.getByTestId('conversation-item').filter({ hasText: customer });
  await expect(item).toBeVisible();
  await item.click();
  await expect(inbox.getByTestId('conversation-title')).toHaveText(customer);
  await inbox.getByRole('button', { name: 'Assign to me' }).click();
  await expect(inbox.getByTestId('assignee')).toHaveText('You');
  const composer = inbox.getByLabel('Reply');
  await composer.fill(reply);
  await composer.press('Enter');
  await expect(inbox.getByTestId('messages').getByTestId('message').filter({ hasText: reply })).toBeVisible();
}

/**
 * Presses Refresh until every card shows its expected figure: the roll-up runs every 30 s and
 * takes what was committed before it started, so figures can arrive in two steps.
 */
async function waitForFigures(page: Page, expected: Record<string, string>) {
  await expect(async () => {
    const refresh = page.getByRole('button', { name: 'Refresh' });
    if (await refresh.isEnabled()) await refresh.click();
    for (const [card, value] of Object.entries(expected)) {
      await expect(page.getByTestId(`kpi-${card}-value`)).toHaveText(value, { timeout: 2_000 });
    }
  }).toPass({ timeout: 80_000, intervals: [1_000, 2_000, 3_000] });
}

const FIGURES = { opened: '2', resolved: '1', reopened: '0', 'open-now': '1', 'messages-in': '3', 'messages-out': '2' };

test('reports show the inbox’s activity: cards, charts, agents, CSV', async ({ browser }) => {
  test.setTimeout(200_000);
  const owner = newOwner('reports');

  // 1. The owner signs up; the same person plays the customers on the test phone.
  const agentContext = await browser.newContext({ baseURL: BASE, locale: 'en-US', viewport: { width: 1440, height: 900 } });
  const inbox = await agentContext.newPage();
  await signUpAndLogIn(inbox, owner, { base: BASE, mailDir: MAIL_DIR });
  const phoneContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const phone = await phoneContext.newPage();
  await logIn(phone, owner);
  await phone.goto('/test-phone');
  await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();

  // Before any activity the range is empty.
  await inbox.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Reports' }).click();
  await expect(inbox.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
  await expect(inbox.getByTestId('report-empty')).toContainText('No activity in this range');
  await inbox.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inbox' }).click();

  // 2. Carla writes twice; the owner takes it, answers and resolves it.
  await customerWrites(phone, ['Hola! My order 1234 has not arrived.', 'It was due on Monday.']);
  await answer(inbox, 'Carla Cliente', 'Sorry Carla, let me check that for you.');
  await inbox.getByRole('button', { name: 'Resolve' }).click();
  await expect(inbox.getByTestId('conversation-status')).toHaveText('Resolved');

  // 3. Diego writes once; the owner answers and leaves it open.
  await phone.getByLabel('Customer name').fill('Diego Díaz');
  await phone.getByLabel('Customer number').fill('+34 600 333 444');
  await customerWrites(phone, ['Do you ship to Portugal?']);
  await inbox.getByRole('tab', { name: 'Open' }).click();
  await answer(inbox, 'Diego Díaz', 'Yes, we do! Delivery takes 3 days.');

  // 4. Reports: the figures appear within the roll-up interval.
  await inbox.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Reports' }).click();
  await expect(inbox).toHaveURL(/\/reports$/);
  await waitForFigures(inbox, FIGURES);
  await expect(inbox.getByTestId('kpi-first-response')).toContainText('From 2 conversations');
  await expect(inbox.getByTestId('kpi-first-response-value')).toHaveText(/^(≈?\d+ (s|min)|< 10 s)$/);
  await expect(inbox.getByTestId('kpi-resolution')).toContainText('From 1 conversation');
  await expect(inbox.getByTestId('kpi-bot-value')).toHaveText('—');
  await expect(inbox.getByTestId('report-updated')).toHaveText(/^Updated (just now|\d+ seconds? ago|1 minute ago)$/);
  await expect(inbox.getByTestId('report-range')).toBeVisible();

  // The agents table names the owner: one resolved, two replies.
  const row = inbox.getByTestId('agent-row').filter({ hasText: owner.name });
  await expect(row.locator('td')).toHaveText([owner.name, '1', '2', /^(\d+ (s|min)|< 10 s)$/, /^\d+ (s|min)$/]);

  // The heatmap adds up to the three messages, in one or two local hours.
  const heat = inbox.getByTestId('heatmap');
  await expect(heat.getByRole('rowheader')).toHaveText(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
  const heatSum = () => heat.locator('td[data-value]').evaluateAll((cells) => cells.reduce((n, c) => n + Number(c.getAttribute('data-value')), 0));
  expect(await heatSum()).toBe(3);
  await heat.getByRole('button', { name: 'Conversations opened' }).click();
  expect(await heatSum()).toBe(2);

  // The charts drew their series (bars for each day of the week).
  await expect(inbox.getByTestId('chart-conversations').locator('.recharts-bar-rectangle path').first()).toBeVisible();
  await expect(inbox.getByTestId('chart-first-response').locator('.recharts-line-curve')).toHaveCount(1);
  await expect(inbox.getByTestId('chart-backlog').locator('.recharts-line-curve')).toHaveCount(1);

  await inbox.evaluate(() => window.scrollTo(0, 0));
  await inbox.screenshot({ path: '/tmp/reports-desktop.png', fullPage: true });

  // 5. Business hours: the toggle switches the duration figures (and is kept in the URL).
  await inbox.getByRole('button', { name: 'Business hours' }).click();
  await expect(inbox.getByRole('button', { name: 'Business hours' })).toHaveAttribute('aria-pressed', 'true');
  await expect(inbox).toHaveURL(/time=business/);
  await expect(inbox.getByTestId('kpi-first-response-value')).toHaveText(/^(≈?\d+ (s|min)|< 10 s|—)$/);
  await expect(inbox.getByText('Durations count only the hours your business is open.')).toBeVisible();
  await inbox.getByRole('button', { name: 'Calendar time' }).click();

  // 6. The CSV of the same range, fetched with the token.
  const downloading = inbox.waitForEvent('download');
  await inbox.getByRole('button', { name: 'Download CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^chorus-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
  expect(csv[0]).toBe('date,opened,reopened,resolved,messages_in,messages_out,first_response_median_secs,resolution_median_secs,backlog_end_of_day');
  expect(csv).toHaveLength(1 + 7 + 1);
  expect(csv.at(-1)).toMatch(/^total,2,0,1,3,2,\d+,\d+,1$/);
  await expect(inbox.getByText('Report downloaded.')).toBeVisible();

  // 7. Filters: the sandbox number (every conversation came to it) keeps the figures, and the
  // choice is sent and kept in the page's URL.
  await inbox.getByLabel('Number').selectOption({ index: 1 });
  await expect(inbox).toHaveURL(/number=[0-9a-f-]{36}/);
  await waitForFigures(inbox, FIGURES);

  // 8. At 390 px wide everything still fits (filters stack, the heatmap scrolls in its card).
  await inbox.setViewportSize({ width: 390, height: 844 });
  await expect(inbox.getByTestId('kpi-opened-value')).toHaveText('2');
  // Nothing of the page reaches past the screen (wide parts scroll inside their cards).
  const overflowing = await inbox.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    const walk = (el: Element) => {
      const style = getComputedStyle(el);
      if (el.getBoundingClientRect().right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`);
      if (style.overflowX === 'auto' || style.overflowX === 'hidden' || style.overflowX === 'scroll') return;
      for (const c of el.children) walk(c);
    };
    walk(document.querySelector('main')!);
    return out;
  });
  expect(overflowing).toEqual([]);
  await inbox.evaluate(() => window.scrollTo(0, 0));
  await inbox.screenshot({ path: '/tmp/reports-mobile.png', fullPage: true });
  await inbox.setViewportSize({ width: 1440, height: 900 });

  // 9. A custom range that ends before it starts: the server's message at the date field.
  await inbox.getByLabel('Date range').selectOption('custom');
  await inbox.getByLabel('From').fill('2025-06-10');
  await inbox.getByLabel('To').fill('2025-06-01');
  await expect(inbox.getByText('The range starts after it ends.')).toBeVisible();
  await expect(inbox.getByLabel('From')).toHaveAttribute('aria-invalid', 'true');
  await expect(inbox.getByText(/Choose a valid date range/)).toBeVisible();
  await inbox.screenshot({ path: '/tmp/reports-invalid.png' });

  // 10. A month without activity: the empty state.
  await inbox.getByLabel('To').fill('2025-06-30');
  await expect(inbox.getByTestId('report-empty')).toContainText('No activity in this range');
  await expect(inbox.getByTestId('report-empty')).toContainText('1 conversation is open right now.');
  await inbox.evaluate(() => window.scrollTo(0, 0));
  await inbox.screenshot({ path: '/tmp/reports-empty.png', fullPage: true });

  // 11. In Spanish, with the figures back (last 7 days).
  await inbox.getByLabel('Date range').selectOption('7d');
  await inbox.getByLabel('Language').selectOption('es');
  await expect(inbox.getByRole('heading', { name: 'Informes', level: 1 })).toBeVisible();
  await expect(inbox.getByTestId('kpi-opened')).toContainText('Conversaciones abiertas');
  await expect(inbox.getByTestId('kpi-opened-value')).toHaveText('2');
  await inbox.evaluate(() => window.scrollTo(0, 0));
  await inbox.screenshot({ path: '/tmp/reports-es.png', fullPage: true });
  await inbox.getByLabel('Idioma').selectOption('en');

  await phoneContext.close();
  await agentContext.close();
});
