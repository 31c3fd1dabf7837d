import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { UploadedMedia } from '../../../api';
import { ApiError } from '../../../api/client';
import { Composer, type Uploader } from './Composer';

const box = () => screen.getByLabelText('Reply') as HTMLTextAreaElement;

describe('Composer', () => {
  it('Enter sends the trimmed text and clears the box; Shift+Enter does not send', async () => {
    const onSend = vi.fn(async () => {});
    render(<Composer block={null} onSend={onSend} />);
    fireEvent.change(box(), { target: { value: '  Hi Carla!\nWe have it.  ' } });
    fireEvent.keyDown(box(), { key: 'Enter', shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).toHaveBeenCalledWith('Hi Carla!\nWe have it.');
    await waitFor(() => expect(box().value).toBe(''));
  });

  it('does not send empty text; the button sends too', () => {
    const onSend = vi.fn(async () => {});
    render(<Composer block={null} onSend={onSend} />);
    const send = screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.change(box(), { target: { value: 'ok' } });
    expect(send.disabled).toBe(false);
    fireEvent.click(send);
    expect(onSend).toHaveBeenCalledWith('ok');
  });

  it('is disabled with an explanation when the window has closed', () => {
    const onSend = vi.fn(async () => {});
    render(<Composer block="window_closed" onSend={onSend} />);
    expect(box().disabled).toBe(true);
    expect(screen.getByTestId('composer-blocked').textContent).toContain('WhatsApp only allows template messages');
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(onSend).not.toHaveBeenCalled();
  });

  it('is disabled with an explanation without the reply permission', () => {
    render(<Composer block="no_permission" onSend={vi.fn()} />);
    expect(box().disabled).toBe(true);
    expect(screen.getByTestId('composer-blocked').textContent).toBe("Your role can't reply to customers. You can still read the conversation.");
  });

  it('puts the text back and shows the error when sending fails', async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(422, 'window_closed', 'closed');
    });
    render(<Composer block={null} onSend={onSend} />);
    fireEvent.change(box(), { target: { value: 'Are you there?' } });
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'The 24-hour window with this customer has closed: WhatsApp only allows template messages until they write again.',
    );
    expect(box().value).toBe('Are you there?');
  });

});

const png = (name = 'shoe.png', size = 2048) => new File([new Uint8Array(size)], name, { type: 'image/png' });
const uploaded = (partial: Partial<UploadedMedia> = {}): UploadedMedia => ({
  id: 'f1',
  kind: 'image',
  mime_type: 'image/png',
  filename: 'shoe.png',
  size_bytes: 2048,
  status: 'ready',
  url: '/api/v1/media/f1/content?e=1&s=x',
  ...partial,
});
const pick = (file: File) => fireEvent.change(screen.getByTestId('composer-file'), { target: { files: [file] } });

describe('Composer: files', () => {
  it('uploads a file with progress, then sends it with the typed caption', async () => {
    let finish!: (m: UploadedMedia) => void;
    let progress!: (loaded: number, total: number) => void;
    const upload: Uploader = vi.fn((_file, opts) => {
      progress = opts.onProgress!;
      return new Promise<UploadedMedia>((r) => (finish = r));
    });
    const onSendMedia = vi.fn(async () => {});
    render(<Composer block={null} onSend={vi.fn()} onSendMedia={onSendMedia} upload={upload} />);
    pick(png());
    const panel = screen.getByTestId('composer-attachment');
    expect(panel.textContent).toContain('shoe.png');
    expect(panel.textContent).toContain('Uploading… 0 %');
    const send = screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    act(() => progress(60, 100));
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('60');
    await act(async () => finish(uploaded()));
    expect(screen.getByTestId('composer-attachment').textContent).toContain('2 KB');
    fireEvent.change(box(), { target: { value: 'Size 42 ' } });
    expect(send.disabled).toBe(false);
    fireEvent.keyDown(box(), { key: 'Enter' });
    await waitFor(() => expect(onSendMedia).toHaveBeenCalledWith(uploaded(), 'Size 42'));
    await waitFor(() => expect(screen.queryByTestId('composer-attachment')).toBeNull());
    expect(box().value).toBe('');
  });

  it("shows the server's 413 and 415 in words and sends nothing", async () => {
    const upload: Uploader = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(413, 'media_too_large', 'WhatsApp carries image files of at most 5 MB.'))
      .mockRejectedValueOnce(new ApiError(415, 'media_type_unsupported', 'The file is not image/png.'));
    const onSendMedia = vi.fn(async () => {});
    render(<Composer block={null} onSend={vi.fn()} onSendMedia={onSendMedia} upload={upload} />);
    pick(png());
    await waitFor(() =>
      expect(screen.getByTestId('composer-attachment').textContent).toContain('This file is too large: WhatsApp sends pictures of at most 5 MB.'),
    );
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    pick(png('fake.png'));
    await waitFor(() => expect(screen.getByTestId('composer-attachment').textContent).toContain("WhatsApp can't send this type of file."));
    fireEvent.click(screen.getByRole('button', { name: 'Remove the file' }));
    expect(screen.queryByTestId('composer-attachment')).toBeNull();
    expect(onSendMedia).not.toHaveBeenCalled();
  });

  it('refuses files WhatsApp would refuse before uploading them', () => {
    const upload: Uploader = vi.fn();
    render(<Composer block={null} onSend={vi.fn()} onSendMedia={vi.fn()} upload={upload} />);
    pick(new File(['GIF89a'], 'cat.gif', { type: 'image/gif' }));
    expect(screen.getByRole('alert').textContent).toContain("WhatsApp can't send this type of file.");
    pick(png('huge.png', 6 * 1024 * 1024));
    expect(screen.getByRole('alert').textContent).toBe('This file is too large: WhatsApp sends pictures of at most 5 MB.');
    expect(upload).not.toHaveBeenCalled();
    expect(screen.queryByTestId('composer-attachment')).toBeNull();
  });

  it('audio goes without a caption', async () => {
    const upload: Uploader = vi.fn(async () => uploaded({ kind: 'audio', mime_type: 'audio/ogg', filename: 'note.ogg' }));
    const onSendMedia = vi.fn(async () => {});
    render(<Composer block={null} onSend={vi.fn()} onSendMedia={onSendMedia} upload={upload} />);
    pick(new File([new Uint8Array(10)], 'note.ogg', { type: 'audio/ogg' }));
    await waitFor(() => expect(screen.getByTestId('composer-attachment').textContent).toContain('sent without a caption'));
    expect(box().disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(onSendMedia).toHaveBeenCalledWith(expect.objectContaining({ kind: 'audio' }), ''));
  });

  it('when the window has closed, offers templates instead of free text', () => {
    const onTemplates = vi.fn();
    render(<Composer block="window_closed" onSend={vi.fn()} onSendMedia={vi.fn()} onTemplates={onTemplates} />);
    expect(box().disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Attach a file' }) as HTMLButtonElement).disabled).toBe(true);
    const blocked = screen.getByTestId('composer-blocked');
    fireEvent.click(within(blocked).getByRole('button', { name: 'Send a template' }));
    expect(onTemplates).toHaveBeenCalledTimes(1);
  });

  it('without the reply permission, neither files nor templates', () => {
    render(<Composer block="no_permission" onSend={vi.fn()} onSendMedia={vi.fn()} onTemplates={vi.fn()} />);
    expect((screen.getByRole('button', { name: 'Attach a file' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Send a template' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows the message being answered, which can be dropped', () => {
    const onCancelReply = vi.fn();
    render(<Composer block={null} onSend={vi.fn()} replyTo={{ author: 'Carla', text: 'Do you have it in blue?' }} onCancelReply={onCancelReply} />);
    expect(screen.getByTestId('composer-reply').textContent).toContain('Do you have it in blue?');
    fireEvent.click(screen.getByRole('button', { name: 'Stop quoting the message' }));
    expect(onCancelReply).toHaveBeenCalled();
  });
});

describe('Composer: more message types', () => {
  it('the "More" menu opens reply buttons, a list or a location, by mouse or keyboard', async () => {
    const onSendRich = vi.fn(async () => {});
    render(<Composer block={null} onSend={vi.fn()} onSendRich={onSendRich} />);
    const more = screen.getByRole('button', { name: 'More message types' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(more);
    const menu = screen.getByRole('menu', { name: 'More message types' });
    const items = within(menu).getAllByRole('menuitem');
    expect(items.map((i) => i.textContent)).toEqual([
      'Reply buttonsUp to 3 buttons to tap',
      'ListUp to 10 options behind a button',
      'LocationA pin on the map',
    ]);
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[2]);
    fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(more);

    fireEvent.click(more);
    fireEvent.click(screen.getByRole('menuitem', { name: /Reply buttons/ }));
    expect(screen.queryByRole('menu')).toBeNull();
    const dialog = screen.getByRole('dialog', { name: 'Send reply buttons' });
    fireEvent.change(within(dialog).getByLabelText('Message'), { target: { value: 'Which size?' } });
    fireEvent.change(within(dialog).getByLabelText('Button 1'), { target: { value: 'M' } });
    fireEvent.change(within(dialog).getByLabelText('Button 2'), { target: { value: 'L' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(onSendRich).toHaveBeenCalledWith({
      type: 'buttons',
      body: 'Which size?',
      buttons: [
        { id: 'm', title: 'M' },
        { id: 'l', title: 'L' },
      ],
    });
  });

  it('the form shows the message being quoted', () => {
    render(<Composer block={null} onSend={vi.fn()} onSendRich={vi.fn()} replyTo={{ author: 'Carla', text: 'Where are you?' }} />);
    fireEvent.click(screen.getByRole('button', { name: 'More message types' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /Location/ }));
    expect(screen.getByTestId('rich-reply').textContent).toContain('Where are you?');
  });

  it('is off when the window has closed (templates stay), and in note mode', () => {
    const { unmount } = render(<Composer block="window_closed" onSend={vi.fn()} onSendRich={vi.fn()} onTemplates={vi.fn()} />);
    expect((screen.getByRole('button', { name: 'More message types' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('composer-blocked').textContent).toContain('WhatsApp only allows template messages');
    expect(screen.getAllByRole('button', { name: 'Send a template' }).every((b) => !(b as HTMLButtonElement).disabled)).toBe(true);
    unmount();
    render(<Composer block={null} onSend={vi.fn()} onSendRich={vi.fn()} onNote={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'More message types' })).toBeTruthy();
    fireEvent.click(screen.getByTestId('composer-mode-note'));
    expect(screen.queryByRole('button', { name: 'More message types' })).toBeNull();
  });
});
