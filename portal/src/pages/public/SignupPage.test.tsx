import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderPage } from '../../test/render';
import { SignupPage } from './SignupPage';

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label, { exact: true }), { target: { value } });
}

describe('SignupPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows inline errors and sends nothing when the form is invalid', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    renderPage(<SignupPage />, { path: '/signup' });
    fill('Business name', 'A');
    fill('Work email', 'not-an-email');
    fill('Password', 'short');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByText('Use between 2 and 80 characters.')).toBeTruthy();
    expect(screen.getByText('This field is required.')).toBeTruthy(); // your name
    expect(screen.getByText('Enter a valid email address.')).toBeTruthy();
    expect(screen.getByText('Use at least 10 characters.')).toBeTruthy();
    expect(screen.getByLabelText('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('puts server field errors next to their fields', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(422, {
          error: { code: 'validation_failed', message: 'Invalid.', fields: { password: 'This password is too common.' } },
        }),
      ),
    );
    renderPage(<SignupPage />, { path: '/signup' });
    fill('Business name', 'Acme Coffee');
    fill('Your name', 'Olivia');
    fill('Work email', 'olivia@example.com');
    fill('Password', 'password1234');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByText('This password is too common.')).toBeTruthy();
    expect(screen.getByText('Please correct the highlighted fields.')).toBeTruthy();
  });

  it('says "check your inbox" after a successful signup and sends the language', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(201, { user: {}, tenant: {} }));
    vi.stubGlobal('fetch', fetchMock);
    renderPage(<SignupPage />, { path: '/signup' });
    fill('Business name', 'Acme Coffee');
    fill('Your name', 'Olivia');
    fill('Work email', 'olivia@example.com');
    fill('Password', 'a-long-enough-password');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('heading', { name: 'Check your inbox' })).toBeTruthy();
    expect(screen.getByText('olivia@example.com')).toBeTruthy();
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/signup');
    expect(JSON.parse(String(init.body))).toEqual({
      business_name: 'Acme Coffee',
      name: 'Olivia',
      email: 'olivia@example.com',
      password: 'a-long-enough-password',
      locale: 'en',
    });
  });

  it('shows a taken email on the email field', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(409, { error: { code: 'email_taken', message: 'Taken.' } })));
    renderPage(<SignupPage />, { path: '/signup' });
    fill('Business name', 'Acme Coffee');
    fill('Your name', 'Olivia');
    fill('Work email', 'olivia@example.com');
    fill('Password', 'a-long-enough-password');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Work email').getAttribute('aria-invalid')).toBe('true'),
    );
    expect(screen.getByText(/An account with this email already exists/)).toBeTruthy();
  });
});
