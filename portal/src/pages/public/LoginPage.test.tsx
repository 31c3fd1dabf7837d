import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/client';
import { fakeSession, renderPage } from '../../test/render';
import { LoginPage, safeNext } from './LoginPage';

describe('LoginPage', () => {
  it('shows the API error message when the credentials are wrong', async () => {
    const login = vi.fn(async () => {
      throw new ApiError(401, 'invalid_credentials', 'Wrong email or password.');
    });
    renderPage(<LoginPage />, { path: '/login', session: fakeSession({ login }) });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'olivia@example.com' } });
    fireEvent.change(screen.getByLabelText('Password', { exact: true }), { target: { value: 'nope-nope-nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));

    expect(await screen.findByText("That email and password don't match an account.")).toBeTruthy();
    expect(login).toHaveBeenCalledWith('olivia@example.com', 'nope-nope-nope');
  });

  it('falls back to the server message for codes it does not know', async () => {
    const login = vi.fn(async () => {
      throw new ApiError(409, 'account_locked', 'This account is locked for 5 minutes.');
    });
    renderPage(<LoginPage />, { path: '/login', session: fakeSession({ login }) });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'olivia@example.com' } });
    fireEvent.change(screen.getByLabelText('Password', { exact: true }), { target: { value: 'whatever-1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('This account is locked for 5 minutes.')).toBeTruthy();
  });

  it('offers to resend the verification mail for an unverified email', async () => {
    const login = vi.fn(async () => {
      throw new ApiError(403, 'email_not_verified', 'Verify first.');
    });
    renderPage(<LoginPage />, { path: '/login', session: fakeSession({ login }) });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'olivia@example.com' } });
    fireEvent.change(screen.getByLabelText('Password', { exact: true }), { target: { value: 'whatever-1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('button', { name: 'Send the verification email again' })).toBeTruthy();
  });

  it('only follows same-site "next" paths', () => {
    expect(safeNext('/settings/tags')).toBe('/settings/tags');
    expect(safeNext('//evil.example.com')).toBe('/inbox');
    expect(safeNext('https://evil.example.com')).toBe('/inbox');
    expect(safeNext(null)).toBe('/inbox');
  });
});
