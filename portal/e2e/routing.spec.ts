// Settings → Routing against a real Chorus server. A new business's owner signs up (mailed
// verification link) and logs in; two teams are made through the API (Billing, Sales). On the
// Routing page the owner routes the sandbox number to Sales by default and creates a keyword
// rule "factura" → set team Billing. Then, on the test phone, one customer writes about an
// invoice ("factura") and another about shipping: the first lands in Billing (the rule wins over
// the default team), the second in Sales, checked through the API and in the inbox (contact
// panel and the timeline's "Routing rule … set the team to Billing"). A bad regular expression
// gets the server's message at its condition. Finally a second rule is moved above the first and
// switched off, and the order the server keeps is checked. Screenshots in test-results/routing/.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR, like the other specs (infra/e2e.sh sets both).
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logIn, newOwner, signUpAndLogIn } from './account';
import { call, logInApi } from './team';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');
const SHOTS = fileURLToPath(new URL('../test-results/routing/', import.meta.url));

let step = 0;
/** A full-page screenshot from the top, once the toasts (4 s) are gone; dialogs as the viewport shows them. */
async function shot(page: Page, name: string, { dialog = false } = {}) {
  step += 1;
  if (!dialog) {
    await expect(page.locator('.toast')).toHaveCount(0, { timeout: 10_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  await page.screenshot({ path: path.join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: !dialog });
}

interface Conv {
  id: string;
  contact: { name: string | null; wa_id: string | null };
  team_id?: string | null;
  team_name?: string | null;
}

test('routing rules: a keyword rule sends “factura” to Billing, the rest follow the default team', async ({ browser }) => {
  test.setTimeout(150_000);
  const owner = newOwner('routing');
  const ctx = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const page = await ctx.newPage();
  await signUpAndLogIn(page, owner, { base: BASE, mailDir: MAIL_DIR });
  const token = await logInApi(BASE, owner.email, owner.password);
  const billing = await call<{ id: string }>(BASE, 'POST', '/api/v1/teams', { name: 'Billing', member_ids: [] }, token);
  const sales = await call<{ id: string }>(BASE, 'POST', '/api/v1/teams', { name: 'Sales', member_ids: [] }, token);

  // 1. Settings → Routing from the navigation.
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Routing' }).click();
  await expect(page).toHaveURL(/\/settings\/routing$/);
  await expect(page.getByRole('heading', { name: 'Routing', level: 1 })).toBeVisible();
  await expect(page.getByTestId('routing-rules')).toContainText('No rules yet');
  await expect(page.getByTestId('routing-team')).toHaveCount(2);

  // 2. The sandbox number's new conversations join Sales by default.
  const numberRow = page.getByTestId('routing-number').first();
  await numberRow.getByRole('combobox').selectOption({ label: 'Sales' });
  await numberRow.getByRole('button', { name: /^Save / }).click();
  await expect(numberRow.getByRole('button', { name: /^Save / })).toBeDisabled();
  await expect(page.getByText('Routing saved.')).toBeVisible();

  // Billing hands out its conversations by round-robin and takes them back after 30 minutes.
  const billingRow = page.getByTestId('routing-team').filter({ hasText: 'Billing' });
  await billingRow.getByLabel('Assignment for Billing').selectOption('round_robin');
  await billingRow.getByLabel('Reassign after (minutes) for Billing').fill('30');
  await billingRow.getByRole('button', { name: 'Save Billing' }).click();
  await expect(billingRow.getByRole('button', { name: 'Save Billing' })).toBeDisabled();

  // 3. The keyword rule, through the dialog.
  await page.getByRole('button', { name: 'New rule' }).click();
  const dialog = page.getByRole('dialog', { name: 'New routing rule' });
  await dialog.getByLabel('Rule name').fill('Invoices to Billing');
  await dialog.getByLabel('New condition').selectOption('keywords');
  await dialog.getByRole('button', { name: 'Add condition' }).click();
  await dialog.getByTestId('rule-condition').getByLabel('Words or phrases').fill('factura, invoice');
  await dialog.getByTestId('rule-action').getByLabel('Team').selectOption({ label: 'Billing' });
  await shot(page, 'rule-dialog', { dialog: true });
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);
  const rule = page.getByTestId('routing-rule').filter({ hasText: 'Invoices to Billing' });
  await expect(rule).toContainText('message contains “factura” or “invoice”');
  await expect(rule).toContainText('set team Billing');
  const saved = await call<{ items: { name: string; enabled: boolean; conditions: unknown; actions: unknown }[] }>(BASE, 'GET', '/api/v1/routing/rules', undefined, token);
  expect(saved.items).toEqual([
    expect.objectContaining({ name: 'Invoices to Billing', enabled: true, conditions: [{ type: 'keywords', keywords: ['factura', 'invoice'] }], actions: [{ type: 'set_team', team_id: billing.id }] }),
  ]);
  await shot(page, 'routing-page');

  // 4. Two customers write on the test phone.
  const phoneCtx = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const phone = await phoneCtx.newPage();
  await logIn(phone, owner);
  await phone.goto('/test-phone');
  await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();
  async function customerWrites(name: string, number: string, text: string) {
    await phone.getByLabel('Customer name').fill(name);
    await phone.getByLabel('Customer number').fill(number);
    const input = phone.getByLabel('Message as the customer');
    await input.fill(text);
    await input.press('Enter');
    await expect(phone.getByTestId('phone-thread').getByTestId('message').filter({ hasText: text })).toBeVisible();
  }
  await customerWrites('Marta Ruiz', '+34 622 000 101', 'Hola, necesito la Factura de marzo, por favor');
  await customerWrites('Nico Brown', '+1 415 555 0102', 'Do you ship to Portugal?');

  // Through the API: Marta's conversation is in Billing (the rule), Nico's in Sales (the default).
  const find = async (teamId: string) => (await call<{ items: Conv[] }>(BASE, 'GET', `/api/v1/conversations?team_id=${teamId}&limit=50`, undefined, token)).items;
  await expect.poll(async () => (await find(billing.id)).map((c) => c.contact.name), { timeout: 15_000 }).toEqual(['Marta Ruiz']);
  await expect.poll(async () => (await find(sales.id)).map((c) => c.contact.name), { timeout: 15_000 }).toEqual(['Nico Brown']);
  const marta = (await find(billing.id))[0];
  expect(marta.team_name).toBe('Billing');

  // In the inbox: the contact panel names the team and the timeline says which rule did it.
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Inbox' }).click();
  await page.getByTestId('conversation-item').filter({ hasText: 'Marta Ruiz' }).click();
  await expect(page.getByTestId('conversation-title')).toHaveText('Marta Ruiz');
  await expect(page.getByTestId('contact-panel')).toContainText('Billing');
  await expect(page.getByTestId('activity').filter({ hasText: 'Routing rule “Invoices to Billing” set the team to Billing' })).toBeVisible();
  await shot(page, 'inbox-routed-to-billing');

  // 5. The server's complaint about a bad pattern shows at that condition; nothing is lost.
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Routing' }).click();
  await page.getByRole('button', { name: 'New rule' }).click();
  const broken = page.getByRole('dialog', { name: 'New routing rule' });
  await broken.getByLabel('Rule name').fill('Refunds');
  await broken.getByLabel('New condition').selectOption('regex');
  await broken.getByRole('button', { name: 'Add condition' }).click();
  await broken.getByTestId('rule-condition').getByLabel('Regular expression').fill('(refund|reembolso');
  await broken.getByRole('button', { name: 'Create' }).click();
  await expect(broken.getByTestId('rule-condition')).toContainText('This is not a valid regular expression');
  await expect(broken.getByTestId('rule-condition').getByLabel('Regular expression')).toHaveValue('(refund|reembolso');
  await shot(page, 'rule-dialog-server-error', { dialog: true });
  await broken.getByRole('button', { name: 'Cancel' }).click();
  await expect(broken).toHaveCount(0);

  // 6. A second rule, moved above the first and switched off; the server keeps that order.
  await page.getByRole('button', { name: 'New rule' }).click();
  const second = page.getByRole('dialog', { name: 'New routing rule' });
  await second.getByLabel('Rule name').fill('Spanish speakers to Sales');
  await second.getByLabel('New condition').selectOption('language');
  await second.getByRole('button', { name: 'Add condition' }).click();
  await second.getByTestId('rule-condition').getByLabel('Language').selectOption('es');
  await second.getByTestId('rule-action').getByLabel('Team').selectOption({ label: 'Sales' });
  await second.getByRole('button', { name: 'Create' }).click();
  await expect(second).toHaveCount(0);
  await expect(page.getByTestId('routing-rule')).toHaveCount(2);
  await page.getByRole('button', { name: 'Move Spanish speakers to Sales up' }).click();
  await expect(page.getByTestId('routing-rule').first()).toContainText('Spanish speakers to Sales');
  await page.getByRole('switch', { name: 'Switch Spanish speakers to Sales off' }).click();
  await expect(page.getByTestId('routing-rule').first()).toContainText('Off');
  const after = await call<{ items: { name: string; enabled: boolean; position: number }[] }>(BASE, 'GET', '/api/v1/routing/rules', undefined, token);
  expect(after.items.map((r) => [r.name, r.enabled])).toEqual([
    ['Spanish speakers to Sales', false],
    ['Invoices to Billing', true],
  ]);
  await shot(page, 'routing-page-two-rules');

  await phoneCtx.close();
  await ctx.close();
});
