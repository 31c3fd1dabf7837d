// Account steps shared by the browser tests: sign up a new business, verify it through the mailed
// link, and log in (the mail helpers read the .eml files the server writes).
import { expect, type Page } from '@playwright/test';
import { onBase, waitForLink } from './mail';

export interface Owner {
  business: string;
  name: string;
  email: string;
  password: string;
}

export function newOwner(prefix = 'owner'): Owner {
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  return {
    business: `Acme ${stamp}`,
    name: 'Olivia Owner',
    email: `${prefix}-${stamp}@example.com`,
    password: 'Tr0ub4dor-and-3-horses',
  };
}

export async function logIn(page: Page, owner: Owner) {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Log in to Chorus' })).toBeVisible();
  await page.getByLabel('Email').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Inbox', level: 1 })).toBeVisible();
  await expect(page.getByTestId('current-business')).toHaveText(owner.business);
}

/** Signs up, opens the verification link from the mail and logs in; ends on the inbox. */
export async function signUpAndLogIn(page: Page, owner: Owner, opts: { base: string; mailDir: string }) {
  await page.goto('/signup');
  await page.getByLabel('Business name').fill(owner.business);
  await page.getByLabel('Your name').fill(owner.name);
  await page.getByLabel('Work email').fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Check your inbox' })).toBeVisible();
  const link = await waitForLink({ dir: opts.mailDir, to: owner.email, pathFragment: '/verify-email?token=' });
  await page.goto(onBase(link, opts.base));
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  await logIn(page, owner);
}
