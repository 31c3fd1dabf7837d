import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../api/client';
import { RichMessageForm } from './RichMessageForm';

const type = (label: string | RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const dialog = () => screen.getByRole('dialog');
const field = (label: string | RegExp) => screen.getByLabelText(label).closest('.field') as HTMLElement;

describe('RichMessageForm: reply buttons', () => {
  it('counts characters live, flags a title over 20 at once, empty fields only on send', async () => {
    const onSend = vi.fn(async () => {});
    render(<RichMessageForm kind="buttons" onClose={vi.fn()} onSend={onSend} />);
    expect(within(dialog()).getByRole('heading', { name: 'Send reply buttons' })).toBeTruthy();
    expect(screen.getByTestId('rich-buttons-count').textContent).toBe('2 of 3');
    type('Button 1', 'Yes, Friday works for me');
    expect(field('Button 1').textContent).toContain('24/20');
    expect(field('Button 1').textContent).toContain('At most 20 characters.');
    expect(screen.getByLabelText('Button 1').getAttribute('aria-invalid')).toBe('true');
    // Not yet: the body and the second button are empty but nobody tried to send.
    expect(field('Message').textContent).not.toContain('Fill this in.');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).not.toHaveBeenCalled();
    expect(field('Message').textContent).toContain('Fill this in.');
    expect(field('Button 2').textContent).toContain('Fill this in.');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Message')));
  });

  it('adds up to 3 buttons, refuses two that say the same, and sends exactly the API shape', async () => {
    const onSend = vi.fn(async () => {});
    const onClose = vi.fn();
    render(<RichMessageForm kind="buttons" onClose={onClose} onSend={onSend} />);
    type('Header (optional)', 'Your visit');
    type('Message', '  Shall we confirm *Friday* at 10:00?  ');
    expect(field('Message').textContent).toContain('35/1024');
    type('Button 1', 'Yes');
    type('Button 2', 'yes');
    expect(field('Button 2').textContent).toContain('Another one says the same.');
    type('Button 2', 'Another day');
    fireEvent.click(screen.getByRole('button', { name: 'Add a button' }));
    expect(screen.getByTestId('rich-buttons-count').textContent).toBe('3 of 3');
    expect(screen.queryByRole('button', { name: 'Add a button' })).toBeNull();
    type('Button 3', 'Call me');
    const preview = screen.getByTestId('rich-preview');
    expect(preview.textContent).toContain('Your visit');
    expect(preview.textContent).toContain('Shall we confirm *Friday* at 10:00?');
    expect(within(preview).getByText('Another day')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove button 3' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onSend).toHaveBeenCalledWith({
      type: 'buttons',
      body: 'Shall we confirm *Friday* at 10:00?',
      buttons: [
        { id: 'yes', title: 'Yes' },
        { id: 'another-day', title: 'Another day' },
      ],
      header: 'Your visit',
    });
  });

  it("shows the server's refusal next to the field it names, and keeps the form open", async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(422, 'validation_failed', 'Invalid.', { body: 'A button title has at most 20 characters.' });
    });
    const onClose = vi.fn();
    render(<RichMessageForm kind="buttons" onClose={onClose} onSend={onSend} />);
    type('Message', 'Which one?');
    type('Button 1', 'A');
    type('Button 2', 'B');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(field('Message').textContent).toContain('A button title has at most 20 characters.'));
    expect(onClose).not.toHaveBeenCalled();
    // Editing the field clears the server's message.
    type('Message', 'Which one? ');
    expect(field('Message').textContent).not.toContain('A button title');
  });

  it('a refusal about no field shows above the form; a collision offers "Send anyway"', async () => {
    const onSend = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(422, 'window_closed', 'closed'))
      .mockRejectedValueOnce(new ApiError(409, 'conversation_changed', 'Luis replied at 10:02 after the last message you saw.'))
      .mockResolvedValueOnce(undefined);
    const onClose = vi.fn();
    render(<RichMessageForm kind="buttons" onClose={onClose} onSend={onSend} />);
    type('Message', 'Which one?');
    type('Button 1', 'A');
    type('Button 2', 'B');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The 24-hour window with this customer has closed');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const conflict = await screen.findByTestId('rich-conflict');
    expect(conflict.textContent).toContain('Luis replied at 10:02');
    fireEvent.click(within(conflict).getByRole('button', { name: 'Send anyway' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(onSend).toHaveBeenLastCalledWith(expect.objectContaining({ type: 'buttons' }), { force: true });
  });

  it('shows the quoted message, and a refusal of it there', async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(422, 'validation_failed', 'Invalid.', { reply_to: 'That message has not reached WhatsApp yet, so it cannot be quoted.' });
    });
    render(<RichMessageForm kind="buttons" onClose={vi.fn()} onSend={onSend} replyTo={{ author: 'Carla Cliente', text: 'Can I come on Friday?' }} />);
    const strip = screen.getByTestId('rich-reply');
    expect(strip.textContent).toContain('In reply to Carla Cliente');
    expect(strip.textContent).toContain('Can I come on Friday?');
    type('Message', 'Sure');
    type('Button 1', 'A');
    type('Button 2', 'B');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('rich-reply').textContent).toContain('cannot be quoted'));
  });
});

describe('RichMessageForm: lists', () => {
  it('counts rows up to 10, asks section titles once there are two, and sends exactly the API shape', async () => {
    const onSend = vi.fn(async () => {});
    render(<RichMessageForm kind="list" onClose={vi.fn()} onSend={onSend} />);
    type('Message', 'Pick a slot for your visit');
    type('Label of the button that opens the list', 'See all the free slots');
    expect(field('Label of the button that opens the list').textContent).toContain('At most 20 characters.');
    type('Label of the button that opens the list', 'See slots');
    type('Option 1 title', '9:00');
    type('Option 1 description (optional)', 'Morning, with coffee');
    type('Option 2 title', '12:00');
    expect(screen.getByTestId('rich-rows-count').textContent).toBe('2 of 10');
    fireEvent.click(screen.getByRole('button', { name: 'Add a section' }));
    expect(screen.getByTestId('rich-rows-count').textContent).toBe('3 of 10');
    type('Option 3 title', '9:00');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(onSend).not.toHaveBeenCalled();
    expect(field('Section 1 title').textContent).toContain('With several sections, each one needs a title.');
    type('Section 1 title', 'Friday');
    type('Section 2 title', 'Saturday');
    const preview = screen.getByTestId('rich-preview');
    expect(preview.textContent).toContain('When they tap “See slots”:');
    expect(preview.textContent).toContain('Saturday');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(onSend).toHaveBeenCalled());
    expect(onSend).toHaveBeenCalledWith({
      type: 'list',
      body: 'Pick a slot for your visit',
      button: 'See slots',
      sections: [
        {
          title: 'Friday',
          rows: [
            { id: '9-00', title: '9:00', description: 'Morning, with coffee' },
            { id: '12-00', title: '12:00' },
          ],
        },
        { title: 'Saturday', rows: [{ id: '9-00-2', title: '9:00' }] },
      ],
    });
  });

  it('stops adding rows at 10', () => {
    render(<RichMessageForm kind="list" onClose={vi.fn()} onSend={vi.fn()} />);
    const add = screen.getByRole('button', { name: 'Add an option' }) as HTMLButtonElement;
    for (let i = 0; i < 8; i++) fireEvent.click(add);
    expect(screen.getByTestId('rich-rows-count').textContent).toBe('10 of 10');
    expect(add.disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Add a section' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('A list holds at most 10 options.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove option 10' }));
    expect(add.disabled).toBe(false);
  });
});

describe('RichMessageForm: location', () => {
  it('fills both coordinates from a pasted pair, checks ranges, previews, and sends exactly the API shape', async () => {
    const onSend = vi.fn(async () => {});
    render(<RichMessageForm kind="location" onClose={vi.fn()} onSend={onSend} />);
    type('Latitude', '95');
    expect(field('Latitude').textContent).toContain('Between -90 and 90.');
    fireEvent.paste(screen.getByLabelText('Latitude'), { clipboardData: { getData: () => '40.416775, -3.70379' } });
    expect((screen.getByLabelText('Latitude') as HTMLInputElement).value).toBe('40.416775');
    expect((screen.getByLabelText('Longitude') as HTMLInputElement).value).toBe('-3.70379');
    type('Place name (optional)', 'Puerta del Sol');
    const preview = screen.getByTestId('rich-preview');
    expect(preview.textContent).toContain('Puerta del Sol');
    expect(within(preview).getByRole('link', { name: /OpenStreetMap/ }).getAttribute('href')).toContain('mlat=40.416775');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(onSend).toHaveBeenCalled());
    expect(onSend).toHaveBeenCalledWith({ type: 'location', latitude: 40.416775, longitude: -3.70379, name: 'Puerta del Sol' });
  });

  it("shows the server's refusal of the coordinates next to them", async () => {
    const onSend = vi.fn(async () => {
      throw new ApiError(422, 'validation_failed', 'Invalid.', { latitude: 'Latitude is -90 to 90 and longitude -180 to 180.' });
    });
    render(<RichMessageForm kind="location" onClose={vi.fn()} onSend={onSend} />);
    type('Latitude', '10');
    type('Longitude', '20');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(field('Latitude').textContent).toContain('Latitude is -90 to 90'));
  });
});
