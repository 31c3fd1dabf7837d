import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../api/client';
import { resetFeatures } from '../../../lib/features';
import { jsonResponse } from '../../../test/render';
import { Composer } from './Composer';

const reply = () => screen.getByLabelText('Reply') as HTMLTextAreaElement;
const noteBox = () => screen.getByLabelText('Internal note') as HTMLTextAreaElement;

afterEach(() => {
  vi.unstubAllGlobals();
  resetFeatures();
});

describe('Composer: collisions (409)', () => {
  it('shows the server’s sentence with "Send anyway", which resends with force', async () => {
    const onSend = vi
      .fn<(text: string, opts?: { force?: boolean }) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(409, 'conversation_changed', 'Luis replied at 10:42'))
      .mockResolvedValueOnce(undefined);
    render(<Composer block={null} onSend={onSend} />);
    fireEvent.change(reply(), { target: { value: 'We have it in M.' } });
    fireEvent.keyDown(reply(), { key: 'Enter' });
    const banner = await screen.findByTestId('composer-conflict');
    expect(banner.textContent).toContain('Luis replied at 10:42');
    expect(reply().value).toBe('We have it in M.');
    // Sending again is held until the person decides.
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Send anyway' }));
    await waitFor(() => expect(onSend).toHaveBeenCalledTimes(2));
    expect(onSend.mock.calls[1]).toEqual(['We have it in M.', { force: true }]);
    await waitFor(() => expect(screen.queryByTestId('composer-conflict')).toBeNull());
    expect(reply().value).toBe('');
  });

  it('"Cancel" keeps the draft and sends nothing', async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(409, 'composer_locked', 'Luis is typing a reply');
    });
    render(<Composer block={null} onSend={onSend} />);
    fireEvent.change(reply(), { target: { value: 'Hello' } });
    fireEvent.keyDown(reply(), { key: 'Enter' });
    expect((await screen.findByTestId('composer-conflict')).textContent).toContain('Luis is typing a reply');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('composer-conflict')).toBeNull();
    expect(reply().value).toBe('Hello');
    expect(onSend).toHaveBeenCalledTimes(1);
  });

  it('other 409s are ordinary errors', async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(409, 'conflict', 'Something else');
    });
    render(<Composer block={null} onSend={onSend} />);
    fireEvent.change(reply(), { target: { value: 'Hello' } });
    fireEvent.keyDown(reply(), { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toBeTruthy();
    expect(screen.queryByTestId('composer-conflict')).toBeNull();
  });

  it('renews the lease while typing and releases it when cleared', () => {
    const onTyping = vi.fn();
    render(<Composer block={null} onSend={vi.fn(async () => {})} onTyping={onTyping} lockNotice="Luis is typing a reply" />);
    fireEvent.change(reply(), { target: { value: 'H' } });
    expect(onTyping).toHaveBeenLastCalledWith(true);
    expect(screen.getByTestId('composer-lock').textContent).toContain('Luis is typing a reply');
    fireEvent.change(reply(), { target: { value: '' } });
    expect(onTyping).toHaveBeenLastCalledWith(false);
  });
});

describe('Composer: internal notes', () => {
  const mentionables = { agents: [{ id: 'a2', name: 'Luis Pérez' }, { id: 'a3', name: 'Ana' }], teams: [{ id: 't1', name: 'Billing' }] };

  it('switches to Note, mentions with @ and saves the note with its mentions', async () => {
    const onNote = vi.fn(async () => {});
    const onSend = vi.fn(async () => {});
    const { container } = render(<Composer block="window_closed" onSend={onSend} onNote={onNote} mentionables={mentionables} />);
    // A closed window blocks replies, not notes.
    expect(reply().disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    expect(container.querySelector('.composer-note')).not.toBeNull();
    const box = noteBox();
    expect(box.disabled).toBe(false);
    fireEvent.change(box, { target: { value: 'Please check @lu', selectionStart: 16 } });
    const menu = await screen.findByTestId('mention-menu');
    expect(menu.textContent).toContain('Luis Pérez');
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(noteBox().value).toBe('Please check @Luis Pérez '));
    expect(onNote).not.toHaveBeenCalled();
    fireEvent.change(noteBox(), { target: { value: 'Please check @Luis Pérez and @bil', selectionStart: 33 } });
    await screen.findByTestId('mention-menu');
    fireEvent.click(screen.getByRole('option', { name: /Billing/ }));
    await waitFor(() => expect(noteBox().value).toBe('Please check @Luis Pérez and @Billing '));
    fireEvent.keyDown(noteBox(), { key: 'Enter' });
    await waitFor(() => expect(onNote).toHaveBeenCalled());
    expect(onNote).toHaveBeenCalledWith('Please check @Luis Pérez and @Billing', [
      { type: 'agent', id: 'a2' },
      { type: 'team', id: 't1' },
    ]);
    expect(onSend).not.toHaveBeenCalled();
    await waitFor(() => expect(noteBox().value).toBe(''));
  });

  it('keeps separate drafts for reply and note', () => {
    render(<Composer block={null} onSend={vi.fn(async () => {})} onNote={vi.fn(async () => {})} />);
    fireEvent.change(reply(), { target: { value: 'to the customer' } });
    fireEvent.click(screen.getByRole('button', { name: 'Note' }));
    expect(noteBox().value).toBe('');
    fireEvent.click(screen.getByRole('button', { name: 'Reply' }));
    expect(reply().value).toBe('to the customer');
  });
});

describe('Composer: canned responses', () => {
  it('"/" at the start opens the picker; Enter inserts the rendered text', async () => {
    const fetchMock = vi.fn(async (url: string) => {
      const u = new URL(url, 'http://x');
      expect(u.pathname).toBe('/api/v1/canned-responses');
      const q = u.searchParams.get('q');
      return jsonResponse(200, {
        items: [
          { id: 'cr1', shortcut: 'hello', title: 'Greeting', body: 'Hi {{contact.name}}!', shared: true, owner_id: null, rendered: 'Hi Carla!' },
          { id: 'cr2', shortcut: 'hours', title: 'Opening hours', body: 'We open 9-18.', shared: true, owner_id: null, rendered: 'We open 9-18.' },
        ].filter((c) => c.shortcut.startsWith(q ?? '')),
      });
    });
    vi.stubGlobal('fetch', fetchMock);
    const onSend = vi.fn(async () => {});
    render(<Composer block={null} onSend={onSend} conversationId="c1" />);
    fireEvent.change(reply(), { target: { value: '/h' } });
    const picker = await screen.findByTestId('canned-picker');
    await waitFor(() => expect(picker.textContent).toContain('/hours'));
    expect(String(fetchMock.mock.calls.at(-1)![0])).toBe('/api/v1/canned-responses?q=h&conversation_id=c1');
    fireEvent.keyDown(reply(), { key: 'ArrowDown' });
    fireEvent.keyDown(reply(), { key: 'ArrowUp' });
    fireEvent.keyDown(reply(), { key: 'Enter' });
    await waitFor(() => expect(reply().value).toBe('Hi Carla!'));
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.queryByTestId('canned-picker')).toBeNull();
  });

  it('Tab inserts too, Escape closes, and a server without canned responses just sends the text', async () => {
    let status = 200;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        status === 200
          ? jsonResponse(200, { items: [{ id: 'cr2', shortcut: 'hours', title: null, body: 'We open 9-18.', shared: false, owner_id: 'm1' }] })
          : jsonResponse(404, { error: { code: 'not_found', message: 'No route' } }),
      ),
    );
    const onSend = vi.fn(async () => {});
    const { unmount } = render(<Composer block={null} onSend={onSend} conversationId="c1" />);
    fireEvent.change(reply(), { target: { value: '/' } });
    await waitFor(() => expect(screen.getByTestId('canned-picker').textContent).toContain('/hours'));
    fireEvent.keyDown(reply(), { key: 'Escape' });
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    fireEvent.change(reply(), { target: { value: '/ho' } });
    await waitFor(() => expect(screen.getByTestId('canned-picker').textContent).toContain('We open'));
    fireEvent.keyDown(reply(), { key: 'Tab' });
    await waitFor(() => expect(reply().value).toBe('We open 9-18.'));
    unmount();

    status = 404;
    render(<Composer block={null} onSend={onSend} conversationId="c1" />);
    fireEvent.change(reply(), { target: { value: '/status' } });
    await act(() => new Promise((r) => setTimeout(r, 250)));
    expect(screen.queryByTestId('canned-picker')).toBeNull();
    fireEvent.keyDown(reply(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('/status');
  });
});
