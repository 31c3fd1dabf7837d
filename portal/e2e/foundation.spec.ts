// The foundation journey against a real Chorus server: sign up, verify the email from the mail
// file, log in, create a tag, invite an agent, accept the invitation as that agent in a second
// browser, then switch the owner's portal to Spanish.
//
// Needs CHORUS_E2E_URL (the server, which also serves the built portal) and CHORUS_MAIL_DIR (where
// the server writes mails as .eml files). The Makefile starts the server and sets both.
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onBase, waitForLink } from './mail';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');
const SHOTS = fileURLToPath(new URL('../test-results/foundation/', import.meta.url));

let step = 0;
async function shot(page: Page, name: string) {
  step += 1;
  await page.screenshot({ path: path.join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

test('owner signs up, verifies, creates a tag, invites an agent who joins; portal speaks Spanish', async ({
  browser,
}) => {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const owner = { business: `Acme ${stamp}`, name: 'Olivia Owner', email: `owner-${stamp}@example.com`, password: 'Tr0ub4dor-and-3-horses' };
  const agent = { name: 'Andrés Agent', email: `agent-${stamp}@example.com`, password: 'C0rrect-horse-battery' };

  const ownerContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const page = await ownerContext.newPage();

  // 1. Sign up.
  await page.goto('/signup');
  await expect(page.getByRole('heading', { name: 'Create your business account' })).toBeVisible();
  await page.getByLabel('Business name').fill(owner.business);
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Work email').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await shot(page, 'signup-form');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  await expect(page.getByText(owner.email)).toBeVisible();
  await shot(page, 'signup-check-inbox');

  // 2. Verify the email through the mailed link.
  const verifyLink = await waitForLink({ dir: MAIL_DIR, to: owner.email, pathFragment: '/verify-email?token=' });
  await page.goto(onBase(verifyLink, BASE));
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  await shot(page, 'email-verified');

  // 3. Log in.
  await page.getByRole('link', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Log in to Chorus' })).toBeVisible();
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await expect(page.getByTestId('current-business')).toHaveText(owner.business);
  await expect(page.getByTestId('current-user')).toHaveText(owner.name);
  await shot(page, 'inbox');

  // The session survives a reload (refresh cookie → new access token).
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();

  // 4. Create a tag.
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Tags' }).click();
  await expect(page.getByRole('heading', { name: 'Tags', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'New tag' }).click();
  const tagDialog = page.getByRole('dialog', { name: 'New tag' });
  await tagDialog.getByLabel('Name').fill('VIP');
  await tagDialog.getByRole('radio', { name: '#dc2626' }).click();
  await shot(page, 'tag-dialog');
  await tagDialog.getByRole('button', { name: 'Create' }).click();
  await expect(tagDialog).toBeHidden();
  await expect(page.getByTestId('tag-row').filter({ hasText: 'VIP' })).toBeVisible();
  await shot(page, 'tags');

  // 5. Invite an agent with the built-in "agent" role.
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { name: 'Agents', level: 1 })).toBeVisible();
  await expect(page.getByTestId('agent-row').filter({ hasText: owner.email })).toBeVisible();
  await page.getByRole('button', { name: 'Invite agent' }).click();
  const inviteDialog = page.getByRole('dialog', { name: 'Invite an agent' });
  await inviteDialog.getByLabel('Email address').fill(agent.email);
  await inviteDialog.getByLabel('Role').selectOption({ label: 'Agent' });
  await shot(page, 'invite-dialog');
  await inviteDialog.getByRole('button', { name: 'Send invitation' }).click();
  await expect(inviteDialog).toBeHidden();
  await expect(page.getByTestId('invitation-row').filter({ hasText: agent.email })).toContainText('Pending');
  await shot(page, 'invitation-sent');

  // 6. The agent accepts in a separate browser (own cookies).
  const inviteLink = await waitForLink({ dir: MAIL_DIR, to: agent.email, pathFragment: '/accept-invitation?token=' });
  const agentContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const agentPage = await agentContext.newPage();
  await agentPage.goto(onBase(inviteLink, BASE));
  await expect(agentPage.getByRole('heading', { name: `Join ${owner.business}` })).toBeVisible();
  await expect(agentPage.getByText(owner.name)).toBeVisible();
  await agentPage.getByLabel('Your name').fill(agent.name);
  await agentPage.getByLabel('Choose a password').fill(agent.password);
  await shot(agentPage, 'accept-invitation');
  await agentPage.getByRole('button', { name: 'Accept and join' }).click();
  await expect(agentPage.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await expect(agentPage.getByTestId('current-user')).toHaveText(agent.name);
  await expect(agentPage.getByTestId('current-business')).toHaveText(owner.business);
  await shot(agentPage, 'agent-inbox');
  await agentContext.close();

  // 7. Back to the owner: the agent is listed; then the portal switches to Spanish.
  await page.reload();
  await expect(page.getByTestId('agent-row').filter({ hasText: agent.email })).toBeVisible();
  await expect(page.getByTestId('invitation-row').filter({ hasText: agent.email })).toContainText('Accepted');
  await page.getByTestId('language-picker').selectOption('es');
  await expect(page.getByRole('heading', { name: 'Agentes', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Invitar agente' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cerrar sesión' })).toBeVisible();
  await shot(page, 'agents-spanish');

  // The choice persists across a reload.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Agentes', level: 1 })).toBeVisible();

  await ownerContext.close();
});
