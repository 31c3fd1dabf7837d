import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { fakeMe, fakeSession, renderPage } from '../test/render';
import { AppShell } from './AppShell';

describe('AppShell', () => {
  it('shows the business, the person and only the settings they may use', () => {
    renderPage(<AppShell />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Inbox' })).toBeTruthy();
    expect(within(nav).queryByRole('link', { name: 'Agents' })).toBeNull();
    expect(within(nav).getByRole('link', { name: 'Tags' })).toBeTruthy();
    expect(within(nav).queryByRole('link', { name: 'Conversation workflow' })).toBeNull();
    expect(within(nav).queryByRole('link', { name: 'Webhooks' })).toBeNull();
    // Everyone can use the test phone and see the numbers and templates.
    expect(within(nav).getByRole('link', { name: 'Test phone' }).getAttribute('href')).toBe('/test-phone');
    expect(within(nav).getByRole('link', { name: 'WhatsApp numbers' }).getAttribute('href')).toBe('/settings/numbers');
    expect(within(nav).getByRole('link', { name: 'Templates' }).getAttribute('href')).toBe('/settings/templates');
    expect(screen.getByTestId('current-business').textContent).toBe('Acme');
    expect(screen.getByTestId('current-user').textContent).toBe('Olivia Owner');
    expect(screen.getByRole('button', { name: 'Log out' })).toBeTruthy();
    // One business only: no switcher menu.
    expect(screen.queryByRole('button', { name: 'Switch business' })).toBeNull();
  });

  it('offers the business switcher and the Agents page when allowed', () => {
    const me = fakeMe(['agents:manage'], {
      memberships: [
        { tenant_id: 't1', tenant_name: 'Acme', membership_id: 'm1', role_name: 'owner' },
        { tenant_id: 't2', tenant_name: 'Globex', membership_id: 'm2', role_name: 'agent' },
      ],
    });
    renderPage(<AppShell />, { session: fakeSession({ me }) });
    expect(screen.getByRole('link', { name: 'Agents' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Switch business' }));
    const menu = screen.getByRole('menu', { name: 'Your businesses' });
    const items = within(menu).getAllByRole('menuitemradio');
    expect(items.map((i) => i.textContent)).toEqual(['AcmeOwner', 'GlobexAgent']);
    expect(items[0].getAttribute('aria-checked')).toBe('true');
  });

  it('links the Conversation workflow and Webhooks pages for settings:manage', () => {
    renderPage(<AppShell />, { session: fakeSession({ me: fakeMe(['settings:manage']) }) });
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Conversation workflow' }).getAttribute('href')).toBe('/settings/workflow');
    expect(within(nav).getByRole('link', { name: 'Webhooks' }).getAttribute('href')).toBe('/settings/webhooks');
  });

  it('links the floor for reports:view and the CSAT settings for settings:manage', () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ items: [], next_cursor: null }), { status: 200, headers: { 'Content-Type': 'application/json' } })));
    const { unmount } = renderPage(<AppShell />, { session: fakeSession({ me: fakeMe(['reports:view', 'settings:manage']) }) });
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Floor' }).getAttribute('href')).toBe('/floor');
    expect(within(nav).getByRole('link', { name: 'Satisfaction surveys' }).getAttribute('href')).toBe('/settings/csat');
    unmount();
    renderPage(<AppShell />, { session: fakeSession({ me: fakeMe(['conversations:reply']) }) });
    expect(screen.queryByRole('link', { name: 'Floor' })).toBeNull();
    expect(screen.queryByRole('link', { name: 'Satisfaction surveys' })).toBeNull();
    vi.unstubAllGlobals();
  });
});
