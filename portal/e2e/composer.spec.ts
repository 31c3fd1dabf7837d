// The composer's richer messages against a real Chorus server, with the test phone as the
// customer: the agent quotes the customer's message in reply buttons, the phone shows them and
// the customer taps one; the agent reacts 👍 (the phone shows it), takes it back and reacts ❤️;
// a list the customer picks from; a quoted text; a location; and the composer at phone width.
//
// Needs CHORUS_E2E_URL and CHORUS_MAIL_DIR, like the other specs (infra/e2e.sh sets both).
// Screenshots go to /tmp/composer-*.png.
import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { logIn, newOwner, signUpAndLogIn } from './account';

const BASE = process.env.CHORUS_E2E_URL || 'http://127.0.0.1:8080';
const MAIL_DIR = process.env.CHORUS_MAIL_DIR || path.resolve(process.cwd(), '../.chorus/mail');

let step = 0;
async function shot(page: Page, name: string, fullPage = false) {
  step += 1;
  await page.screenshot({ path: `/tmp/composer-${String(step).padStart(2, '0')}-${name}.png`, fullPage });
}

test('reply buttons, lists, reactions, quotes and locations between the inbox and the test phone', async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = newOwner('composer');

  // 1. The owner signs up; the same person opens the test phone in a second browser.
  const agentContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const inbox = await agentContext.newPage();
  await signUpAndLogIn(inbox, owner, { base: BASE, mailDir: MAIL_DIR });
  const phoneContext = await browser.newContext({ baseURL: BASE, locale: 'en-US' });
  const phone = await phoneContext.newPage();
  await logIn(phone, owner);
  await phone.goto('/test-phone');
  await expect(phone.getByRole('heading', { name: 'Test phone', level: 1 })).toBeVisible();

  // 2. The customer writes; the agent opens the conversation and claims it.
  const phoneInput = phone.getByLabel('Message as the customer');
  await phoneInput.fill('Hi! Can I book a fitting for this week?');
  await phoneInput.press('Enter');
  const phoneThread = phone.getByTestId('phone-thread');
  const phoneMsg = (text: string) => phoneThread.getByTestId('message').filter({ hasText: text });
  await expect(phoneMsg('book a fitting')).toBeVisible();
  const item = inbox.getByTestId('conversation-item').filter({ hasText: 'Carla Cliente' });
  await item.click();
  await expect(inbox.getByTestId('conversation-title')).toHaveText('Carla Cliente');
  await inbox.getByRole('button', { name: 'Assign to me' }).click();
  await expect(inbox.getByTestId('assignee')).toHaveText('You');
  const messages = inbox.getByTestId('messages');
  const inboxMsg = (text: string) => messages.getByTestId('message').filter({ hasText: text });
  // Later messages quote it, so they contain its text too: the question is the first.
  const question = inboxMsg('book a fitting').first();
  const phoneQuestion = phoneMsg('book a fitting').first();

  // 3. Quote the question, then open "More" → "Reply buttons".
  await question.hover();
  await question.getByRole('button', { name: 'Quote this message in your answer' }).click();
  await expect(inbox.getByTestId('composer-reply')).toContainText('book a fitting');
  await inbox.getByRole('button', { name: 'More message types' }).click();
  const menu = inbox.getByRole('menu', { name: 'More message types' });
  await expect(menu.getByRole('menuitem')).toHaveCount(3);
  await shot(inbox, 'more-menu');
  await menu.getByRole('menuitem', { name: /Reply buttons/ }).click();
  const form = inbox.getByRole('dialog', { name: 'Send reply buttons' });
  await expect(form.getByTestId('rich-reply')).toContainText('In reply to Carla Cliente');
  await form.getByLabel('Header (optional)').fill('Fittings this week');
  await form.getByLabel('Message').fill('Of course! Which day suits you best?');
  await form.getByLabel('Footer (optional)').fill('Acme Shoes · Calle Mayor 1');
  await form.getByRole('textbox', { name: 'Button 1' }).fill('Friday morning, please');
  await expect(form.getByText('At most 20 characters.')).toBeVisible();
  await form.getByRole('textbox', { name: 'Button 1' }).fill('Friday morning');
  await form.getByRole('textbox', { name: 'Button 2' }).fill('Saturday');
  await form.getByRole('button', { name: 'Add a button' }).click();
  await form.getByRole('textbox', { name: 'Button 3' }).fill('Call me');
  await expect(form.getByTestId('rich-buttons-count')).toHaveText('3 of 3');
  await expect(form.getByTestId('rich-preview')).toContainText('Which day suits you best?');
  await shot(inbox, 'buttons-form');
  await form.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(form).toHaveCount(0);
  await expect(inbox.getByTestId('composer-reply')).toHaveCount(0);
  const sentButtons = inboxMsg('Which day suits you best?');
  await expect(sentButtons).toHaveAttribute('data-kind', 'interactive');
  await expect(sentButtons).toContainText('Fittings this week');
  await expect(sentButtons).toContainText('Acme Shoes · Calle Mayor 1');
  await expect(sentButtons.getByRole('button', { name: 'Saturday' })).toBeDisabled();
  await expect(sentButtons.getByTestId('quote')).toContainText('book a fitting');
  await expect(sentButtons.getByTestId('ticks')).toHaveAttribute('aria-label', 'Read');
  await shot(inbox, 'buttons-sent');

  // 4. The phone shows them, quoting the question; the customer taps "Saturday".
  const phoneButtons = phoneMsg('Which day suits you best?');
  await expect(phoneButtons).toContainText('Fittings this week');
  await expect(phoneButtons.getByTestId('quote')).toContainText('book a fitting');
  await shot(phone, 'phone-buttons');
  await phoneButtons.getByRole('button', { name: 'Saturday' }).click();
  await expect(phoneMsg('Saturday').last()).toHaveAttribute('data-direction', 'inbound');
  const tapped = inboxMsg('Button reply').filter({ hasText: 'Saturday' });
  await expect(tapped).toBeVisible();

  // 5. The agent reacts 👍 to the question; the phone shows it on that message.
  await question.hover();
  await question.getByRole('button', { name: 'React' }).click();
  const picker = question.getByRole('group', { name: 'Reactions' });
  await expect(picker.getByRole('button')).toHaveCount(6);
  await shot(inbox, 'reaction-picker');
  await picker.getByRole('button', { name: 'React with 👍' }).click();
  await expect(question.getByTestId('reactions')).toHaveText('👍');
  await expect(phoneQuestion.getByTestId('reactions')).toHaveText('👍');
  // Shown on the message, never as a bubble of its own.
  await expect(phoneThread.locator('[data-testid="message"][data-kind="reaction"]')).toHaveCount(0);
  await expect(messages.locator('[data-testid="message"][data-kind="reaction"]')).toHaveCount(0);
  await shot(phone, 'phone-reaction');

  // …takes it back (the same emoji again), then reacts ❤️ to the tapped reply, by keyboard.
  await question.getByRole('button', { name: 'React' }).click();
  await question.getByRole('button', { name: 'Remove your reaction 👍' }).click();
  await expect(question.getByTestId('reactions')).toHaveCount(0);
  await expect(phoneQuestion.getByTestId('reactions')).toHaveCount(0);
  await tapped.getByRole('button', { name: 'React' }).focus();
  await inbox.keyboard.press('Enter');
  await expect(tapped.getByRole('group', { name: 'Reactions' })).toBeVisible();
  await inbox.keyboard.press('ArrowRight');
  await inbox.keyboard.press('Enter');
  await expect(tapped.getByTestId('reactions')).toHaveText('❤️');
  await expect(phoneMsg('Saturday').last().getByTestId('reactions')).toHaveText('❤️');

  // 6. A quoted text reply.
  await tapped.hover();
  await tapped.getByRole('button', { name: 'Quote this message in your answer' }).click();
  const composer = inbox.getByLabel('Reply');
  await composer.fill('Saturday it is. Pick a time:');
  await composer.press('Enter');
  await expect(composer).toHaveValue('');
  await expect(inboxMsg('Saturday it is').getByTestId('quote')).toContainText('Saturday');
  await expect(phoneMsg('Saturday it is').getByTestId('quote')).toContainText('Saturday');

  // 7. A list with two sections; the customer picks a row on the phone.
  await inbox.getByRole('button', { name: 'More message types' }).click();
  await inbox.getByRole('menuitem', { name: /List/ }).click();
  const list = inbox.getByRole('dialog', { name: 'Send a list' });
  await list.getByLabel('Message').fill('These are the free slots on Saturday.');
  await list.getByLabel('Label of the button that opens the list').fill('See the slots');
  await list.getByLabel('Section title (optional)').fill('Morning');
  await list.getByLabel('Option 1 title').fill('10:00');
  await list.getByLabel('Option 1 description (optional)').fill('With Marta, 30 min');
  await list.getByLabel('Option 2 title').fill('11:30');
  await list.getByRole('button', { name: 'Add a section' }).click();
  await list.getByLabel('Section 2 title').fill('Afternoon');
  await list.getByLabel('Option 3 title').fill('17:00');
  await list.getByLabel('Option 3 description (optional)').fill('With Luis, 45 min');
  await expect(list.getByTestId('rich-rows-count')).toHaveText('3 of 10');
  await expect(list.getByTestId('rich-preview')).toContainText('When they tap “See the slots”:');
  await shot(inbox, 'list-form');
  await list.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(list).toHaveCount(0);
  const sentList = inboxMsg('These are the free slots');
  await expect(sentList).toHaveAttribute('data-kind', 'interactive');
  await sentList.getByRole('button', { name: 'See the slots' }).click();
  await expect(sentList).toContainText('With Luis, 45 min');
  await shot(inbox, 'list-sent');
  const phoneList = phoneMsg('These are the free slots');
  await phoneList.getByRole('button', { name: 'See the slots' }).click();
  await expect(phoneList.getByRole('menuitem', { name: /17:00/ })).toBeInViewport();
  await shot(phone, 'phone-list-open');
  await phoneList.getByRole('menuitem', { name: /17:00/ }).click();
  const picked = inboxMsg('List choice').filter({ hasText: '17:00' });
  await expect(picked).toBeVisible();

  // 8. A location (coordinates pasted in one go).
  await inbox.getByRole('button', { name: 'More message types' }).click();
  await inbox.getByRole('menuitem', { name: /Location/ }).click();
  const place = inbox.getByRole('dialog', { name: 'Send a location' });
  await place.getByLabel('Latitude').fill('91');
  await expect(place.getByText('Between -90 and 90.')).toBeVisible();
  await place.getByLabel('Latitude').fill('40.416775');
  await place.getByLabel('Longitude').fill('-3.70379');
  await place.getByLabel('Place name (optional)').fill('Acme Shoes');
  await place.getByLabel('Address (optional)').fill('Calle Mayor 1, Madrid');
  await expect(place.getByTestId('rich-preview').getByRole('link', { name: 'Open in OpenStreetMap' })).toBeVisible();
  await shot(inbox, 'location-form');
  await place.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(place).toHaveCount(0);
  await expect(inboxMsg('Calle Mayor 1, Madrid')).toHaveAttribute('data-kind', 'location');
  await expect(phoneMsg('Calle Mayor 1, Madrid')).toHaveAttribute('data-kind', 'location');
  await shot(inbox, 'inbox-thread', true);
  await shot(phone, 'phone-thread', true);

  // 9. At phone width: the actions, the menu and the form still fit.
  await inbox.setViewportSize({ width: 390, height: 844 });
  await tapped.hover();
  await tapped.getByRole('button', { name: 'React' }).click();
  await expect(tapped.getByRole('group', { name: 'Reactions' })).toBeVisible();
  const box = await tapped.getByRole('group', { name: 'Reactions' }).boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await shot(inbox, 'narrow-reactions');
  await inbox.keyboard.press('Escape');
  await inbox.getByRole('button', { name: 'More message types' }).click();
  await shot(inbox, 'narrow-more');
  await inbox.getByRole('menuitem', { name: /List/ }).click();
  await expect(inbox.getByRole('dialog', { name: 'Send a list' })).toBeVisible();
  await inbox.waitForTimeout(400); // the dialog's opening animation, for the screenshot
  await shot(inbox, 'narrow-list-form');
  await inbox.keyboard.press('Escape');
  await expect(inbox.getByRole('dialog')).toHaveCount(0);

  await phoneContext.close();
  await agentContext.close();
});
