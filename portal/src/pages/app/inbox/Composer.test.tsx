import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../api/client';
import { Composer } from './Composer';

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
