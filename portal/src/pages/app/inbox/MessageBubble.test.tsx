import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { MediaRef, Message } from '../../../api';
import type { ReactionChip } from '../../../lib/reactions';
import { BubbleContext } from './bubbleContext';
import { MessageBubble } from './MessageBubble';

let seq = 0;
function msg(partial: Partial<Message>): Message {
  seq += 1;
  return {
    id: `0190000${String(seq).padStart(5, '0')}`,
    conversation_id: 'c1',
    direction: 'inbound',
    kind: 'text',
    body: null,
    content: {},
    wamid: `wamid.${seq}`,
    reply_to_wamid: null,
    status: 'received',
    error_code: null,
    error_title: null,
    error_explanation: null,
    sender_type: 'contact',
    sender_id: null,
    sent_at: '2026-11-22T10:15:00Z',
    status_at: '2026-11-22T10:15:00Z',
    ...partial,
  };
}

function show(message: Message, opts: { thread?: Message[]; ticks?: boolean; reactions?: ReactionChip[] } = {}) {
  const { container } = render(
    <MessageBubble
      reactions={opts.reactions}
      message={message}
      side={message.direction === 'outbound' ? 'end' : 'start'}
      thread={opts.thread}
      ticks={opts.ticks ?? message.direction === 'outbound'}
      authorOf={(m) => (m.direction === 'inbound' ? 'Carla' : 'You')}
    />,
  );
  return container.querySelector('[data-testid="message"]') as HTMLElement;
}

describe('MessageBubble: kinds', () => {
  it('text keeps line breaks and links only web addresses, safely', () => {
    const el = show(
      msg({ kind: 'text', body: 'Hola!\nSee https://shop.example.com/jacket?size=M, or javascript:alert(1) and www.example.org.' }),
    );
    const text = el.querySelector('.rich-text') as HTMLElement;
    expect(text.textContent).toContain('Hola!\nSee ');
    const links = within(el).getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://shop.example.com/jacket?size=M', 'https://www.example.org']);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toContain('noopener');
      expect(a.getAttribute('rel')).toContain('noreferrer');
    }
    expect(el.textContent).toContain('javascript:alert(1)');
  });

  it('text never renders markup from the message', () => {
    const el = show(msg({ kind: 'text', body: '<img src=x onerror=alert(1)> <b>bold</b>' }));
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('b')).toBeNull();
    expect(el.textContent).toContain('<b>bold</b>');
  });

  it('media without a file from the server show a labelled placeholder with caption or file name', () => {
    const image = show(msg({ kind: 'image', body: 'Our shop', content: { type: 'image', id: 'm1', mime_type: 'image/jpeg', caption: 'Our shop' } }));
    expect(image.textContent).toContain('Photo');
    expect(image.textContent).toContain('Our shop');
    expect(image.textContent).toContain('The file is not available.');
    expect(image.querySelector('img')).toBeNull();

    expect(show(msg({ kind: 'video', content: { type: 'video', id: 'm2' } })).textContent).toContain('Video');
    expect(show(msg({ kind: 'audio', content: { type: 'audio', id: 'm3', voice: true } })).textContent).toContain('Voice message');
    expect(show(msg({ kind: 'audio', content: { type: 'audio', id: 'm4' } })).textContent).toContain('Audio');
    const doc = show(msg({ kind: 'document', body: 'invoice.pdf', content: { type: 'document', id: 'm5', filename: 'invoice.pdf', mime_type: 'application/pdf' } }));
    expect(doc.textContent).toContain('Document');
    expect(doc.querySelector('.media-filename')?.textContent).toBe('invoice.pdf');
    expect(doc.querySelector('.media-caption')).toBeNull();
    expect(show(msg({ kind: 'sticker', content: { type: 'sticker', id: 'm6', animated: true } })).textContent).toContain('Animated sticker');
  });

  it('location shows its name and a link to OpenStreetMap', () => {
    const el = show(
      msg({ kind: 'location', body: 'Puerta del Sol', content: { type: 'location', latitude: 40.416775, longitude: -3.70379, name: 'Puerta del Sol', address: 'Madrid' } }),
    );
    expect(el.textContent).toContain('Puerta del Sol');
    expect(el.textContent).toContain('Madrid');
    const link = within(el).getByRole('link', { name: /Open in OpenStreetMap/ });
    expect(link.getAttribute('href')).toBe('https://www.openstreetmap.org/?mlat=40.416775&mlon=-3.70379#map=17/40.416775/-3.70379');
  });

  it('location without a name still says what it is', () => {
    const el = show(msg({ kind: 'location', content: { type: 'location', latitude: 1.5, longitude: 2 } }));
    expect(el.querySelector('.location-name')?.textContent).toBe('Location');
    expect(within(el).getByRole('link').getAttribute('href')).toContain('mlat=1.5&mlon=2');
  });

  it('contacts show each card with its phones and emails', () => {
    const el = show(
      msg({
        kind: 'contacts',
        content: {
          type: 'contacts',
          contacts: [
            { formatted_name: 'Pedro Pérez', phones: [{ phone: '+34 611 222 333', wa_id: '34611222333', label: 'CELL' }], emails: ['pedro@example.com'], organisation: 'Taller Pérez', raw: {} },
            { formatted_name: null, phones: [], emails: [], raw: {} },
          ],
        },
      }),
    );
    const cards = within(el).getAllByTestId('contact-card');
    expect(cards).toHaveLength(2);
    expect(cards[0].textContent).toContain('Pedro Pérez');
    expect(cards[0].textContent).toContain('Taller Pérez');
    expect(cards[0].textContent).toContain('+34 611 222 333');
    expect(cards[0].textContent).toContain('pedro@example.com');
    expect(cards[1].textContent).toContain('Unnamed contact');
  });

  it('interactive replies and template buttons show the title', () => {
    const button = show(msg({ kind: 'interactive', body: 'Yes, confirm', content: { type: 'button_reply', id: 'confirm', title: 'Yes, confirm' } }));
    expect(button.textContent).toContain('Button reply');
    expect(button.querySelector('.msg-choice')?.textContent).toBe('Yes, confirm');
    const list = show(
      msg({ kind: 'interactive', body: 'Tuesday', content: { type: 'list_reply', id: 'tue', title: 'Tuesday', description: '9:00 to 13:00' } }),
    );
    expect(list.textContent).toContain('List choice');
    expect(list.textContent).toContain('Tuesday');
    expect(list.textContent).toContain('9:00 to 13:00');
    const flow = show(msg({ kind: 'interactive', content: { type: 'interactive', interactive_type: 'nfm_reply', raw: {} } }));
    expect(flow.textContent).toContain('Interactive reply (nfm_reply)');
    const template = show(msg({ kind: 'button', body: 'Stop promotions', content: { type: 'button', payload: 'STOP', text: 'Stop promotions' } }));
    expect(template.querySelector('.msg-choice')?.textContent).toBe('Stop promotions');
  });

  it('a reaction shows its emoji and the message it reacts to', () => {
    const target = msg({ direction: 'outbound', body: 'Your order shipped', status: 'read', wamid: 'wamid.target' });
    const reaction = msg({ kind: 'reaction', body: '👍', content: { type: 'reaction', message_id: 'wamid.target', emoji: '👍' } });
    const el = show(reaction, { thread: [target, reaction] });
    expect(within(el).getByRole('img', { name: 'Reacted 👍' }).textContent).toBe('👍');
    expect(el.textContent).toContain('to “Your order shipped”');
    const removed = show(msg({ kind: 'reaction', content: { type: 'reaction', message_id: 'wamid.target', emoji: null } }));
    expect(removed.textContent).toContain('Removed a reaction');
  });

  it('unsupported and unknown kinds say so, naming the type', () => {
    expect(show(msg({ kind: 'unsupported', content: { type: 'unsupported', unsupported_type: 'poll' } })).textContent).toContain(
      'Unsupported message type: poll',
    );
    expect(show(msg({ kind: 'unsupported', content: { type: 'unsupported' } })).textContent).toContain('Unsupported message type: unknown');
    expect(show(msg({ kind: 'hologram', content: { type: 'unknown', message_type: 'hologram', raw: {} } })).textContent).toContain(
      'Unsupported message type: hologram',
    );
  });

  it('orders, deletions, edits and system notices read sensibly', () => {
    const order = show(
      msg({ kind: 'order', content: { type: 'order', catalog_id: 'c', text: 'Gift wrap please', product_items: [{ product_retailer_id: 'SKU-1', quantity: 2, item_price: 9.5, currency: 'EUR' }] } }),
    );
    expect(order.textContent).toContain('Order');
    expect(order.textContent).toContain('2 × SKU-1');
    expect(order.textContent).toContain('9.5 EUR');
    expect(order.textContent).toContain('Gift wrap please');
    expect(show(msg({ kind: 'revoke', content: { type: 'revoke', original_message_id: 'x' } })).textContent).toContain('This message was deleted');
    const edit = show(msg({ kind: 'edit', body: 'Size L, sorry', content: { type: 'edit', original_message_id: 'x', message: { type: 'text', body: 'Size L, sorry' } } }));
    expect(edit.textContent).toContain('Edited');
    expect(edit.textContent).toContain('Size L, sorry');
    const system = show(msg({ kind: 'system', content: { type: 'system', system_type: 'user_changed_number', body: 'Carla changed their number.' } }));
    expect(system.getAttribute('data-kind')).toBe('system');
    expect(system.textContent).toContain('Carla changed their number.');
  });

  it('quotes the replied message when it is in the thread, and only then', () => {
    const original = msg({ body: 'Do you ship to Canarias?', wamid: 'wamid.q' });
    const reply = msg({ direction: 'outbound', status: 'sent', body: 'Yes, in 3 days', reply_to_wamid: 'wamid.q' });
    const el = show(reply, { thread: [original, reply] });
    const quote = within(el).getByTestId('quote');
    expect(quote.textContent).toContain('Carla');
    expect(quote.textContent).toContain('Do you ship to Canarias?');
    const orphan = show(msg({ body: 'answer', reply_to_wamid: 'wamid.elsewhere' }), { thread: [original] });
    expect(within(orphan).queryByTestId('quote')).toBeNull();
  });
});

describe('MessageBubble: ticks', () => {
  const tick = (status: string) => {
    const el = show(msg({ direction: 'outbound', body: 'Hi', status, sender_type: 'agent' }));
    return within(el).getByTestId('ticks');
  };

  it('maps each status to clock, one tick, two ticks or two blue ticks', () => {
    expect(tick('queued').getAttribute('aria-label')).toBe('Sending');
    expect(tick('queued').getAttribute('data-tick')).toBe('pending');
    expect(tick('sending').getAttribute('data-tick')).toBe('pending');
    expect(tick('sent').getAttribute('aria-label')).toBe('Sent');
    expect(tick('delivered').getAttribute('aria-label')).toBe('Delivered');
    expect(tick('read').getAttribute('aria-label')).toBe('Read');
    expect(tick('read').className).toContain('ticks-read');
    expect(tick('delivered').className).not.toContain('ticks-read');
    expect(tick('played').getAttribute('aria-label')).toBe('Read');
  });

  it('puts outbound messages at the end and inbound ones at the start, without ticks', () => {
    const out = show(msg({ direction: 'outbound', body: 'Hi', status: 'sent' }));
    expect(out.className).toContain('msg-end');
    const inbound = show(msg({ body: 'Hello' }));
    expect(inbound.className).toContain('msg-start');
    expect(within(inbound).queryByTestId('ticks')).toBeNull();
  });

  it('a failed message is red and explains why under the bubble', () => {
    const el = show(
      msg({
        direction: 'outbound',
        body: 'Hi',
        status: 'failed',
        error_code: 131047,
        error_title: 'Re-engagement message',
        error_explanation: 'More than 24 hours have passed since the customer last replied.',
      }),
    );
    expect(el.className).toContain('msg-failed');
    expect(within(el).getByTestId('ticks').getAttribute('aria-label')).toBe('Not delivered');
    const error = within(el).getByTestId('message-error');
    expect(error.textContent).toContain('More than 24 hours have passed since the customer last replied.');
    expect(error.textContent).toContain('error 131047');
  });

  it('falls back to Meta’s title, then to a generic sentence', () => {
    const titled = show(msg({ direction: 'outbound', body: 'Hi', status: 'failed', error_title: 'Spam rate limit hit' }));
    expect(within(titled).getByTestId('message-error').textContent).toContain('Spam rate limit hit');
    const bare = show(msg({ direction: 'outbound', body: 'Hi', status: 'failed' }));
    expect(within(bare).getByTestId('message-error').textContent).toContain('WhatsApp could not deliver this message.');
  });

  it('shows the time the message was sent', () => {
    show(msg({ body: 'Hi', sent_at: '2026-11-22T10:15:00Z' }));
    const time = screen.getByText((_, node) => node?.tagName === 'TIME');
    expect(time.getAttribute('datetime')).toBe('2026-11-22T10:15:00Z');
    expect(time.textContent).toMatch(/\d{1,2}:15/);
  });
});

const URL_OK = '/api/v1/media/f1/content?t=t1&e=4102444800&s=abc';

function media(partial: Partial<MediaRef> = {}): MediaRef {
  return { id: 'f1', status: 'ready', mime_type: 'image/jpeg', filename: null, size_bytes: 48_213, url: URL_OK, error: null, ...partial };
}

describe('MessageBubble: media files', () => {
  it('shows "Downloading…" while the file is fetched from WhatsApp', () => {
    const el = show(msg({ kind: 'image', content: { type: 'image', mime_type: 'image/jpeg' }, media: media({ status: 'pending', url: null }) }));
    expect(within(el).getByTestId('media-pending').textContent).toContain('Downloading…');
    expect(el.querySelector('img')).toBeNull();
  });

  it('says clearly when the download failed, with the reason', () => {
    const el = show(
      msg({ kind: 'video', content: { type: 'video' }, media: media({ status: 'failed', url: null, mime_type: 'video/mp4', error: 'Meta answered 404: the media expired.' }) }),
    );
    const failed = within(el).getByTestId('media-failed');
    expect(failed.textContent).toContain("Couldn't download this file.");
    expect(failed.textContent).toContain('Meta answered 404: the media expired.');
    expect(el.querySelector('video')).toBeNull();
  });

  it('a ready picture is a preview that opens full size', () => {
    const el = show(msg({ kind: 'image', body: 'Our shop', content: { type: 'image', caption: 'Our shop' }, media: media() }));
    const img = el.querySelector('img') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe(URL_OK);
    expect(img.getAttribute('alt')).toBe('Our shop');
    expect(el.querySelector('.bubble')?.className).toContain('bubble-visual');
    expect(el.querySelector('.media-caption')?.textContent).toBe('Our shop');
    fireEvent.click(within(el).getByTestId('media-image'));
    const viewer = screen.getByTestId('image-viewer');
    expect(viewer.querySelector('img')?.getAttribute('src')).toBe(URL_OK);
    expect(within(viewer).getByRole('link', { name: /Open the original/ }).getAttribute('href')).toBe(URL_OK);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(screen.queryByTestId('image-viewer')).toBeNull();
  });

  it('video, audio and voice get players; stickers an image', () => {
    const video = show(msg({ kind: 'video', content: { type: 'video' }, media: media({ mime_type: 'video/mp4' }) }));
    expect(video.querySelector('video')?.getAttribute('src')).toBe(URL_OK);
    expect(video.querySelector('video')?.hasAttribute('controls')).toBe(true);
    const voice = show(msg({ kind: 'audio', content: { type: 'audio', voice: true }, media: media({ mime_type: 'audio/ogg' }) }));
    expect(voice.querySelector('audio')?.getAttribute('src')).toBe(URL_OK);
    expect(voice.querySelector('audio')?.getAttribute('aria-label')).toBe('Voice message');
    const sticker = show(msg({ kind: 'sticker', content: { type: 'sticker' }, media: media({ mime_type: 'image/webp' }) }));
    expect(within(sticker).getByTestId('media-sticker').getAttribute('src')).toBe(URL_OK);
  });

  it('a document is a download link with its name, type and size', () => {
    const el = show(
      msg({
        kind: 'document',
        body: 'invoice-0042.pdf',
        content: { type: 'document', filename: 'invoice-0042.pdf' },
        media: media({ mime_type: 'application/pdf', filename: 'invoice-0042.pdf', size_bytes: 248_000 }),
      }),
    );
    const link = within(el).getByTestId('media-document');
    expect(link.getAttribute('href')).toBe(URL_OK);
    expect(link.getAttribute('download')).toBe('invoice-0042.pdf');
    expect(link.textContent).toContain('invoice-0042.pdf');
    expect(link.textContent).toContain('PDF · 242 KB');
    // The file name is not repeated as a caption.
    expect(el.querySelector('.media-caption')).toBeNull();
  });

  it('a file sent without a caption does not show its name as one', () => {
    const el = show(
      msg({
        direction: 'outbound',
        status: 'sent',
        kind: 'image',
        body: 'photo.png',
        content: { outbound: { type: 'image', media: { id: 'chorus:f1' }, caption: null }, mime_type: 'image/png', filename: 'photo.png' },
        media: media({ mime_type: 'image/png', filename: 'photo.png' }),
      }),
    );
    expect(el.querySelector('.media-caption')).toBeNull();
    const captioned = show(
      msg({
        direction: 'outbound',
        status: 'sent',
        kind: 'image',
        body: 'Size 42',
        content: { outbound: { type: 'image', media: { id: 'chorus:f1' }, caption: 'Size 42' }, mime_type: 'image/png', filename: 'photo.png' },
        media: media({ mime_type: 'image/png', filename: 'photo.png' }),
      }),
    );
    expect(captioned.querySelector('.media-caption')?.textContent).toBe('Size 42');
  });
});

describe('MessageBubble: what the business sends', () => {
  const components = [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
    { type: 'BODY', text: 'Hi {{1}}, your order is {{2}}.' },
    { type: 'FOOTER', text: 'Acme Shoes' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks!' }, { type: 'URL', text: 'Track it', url: 'https://acme.example/t/{{1}}' }] },
  ];
  const template = msg({
    direction: 'outbound',
    status: 'delivered',
    kind: 'template',
    body: 'Hi Carla, your order is on its way.',
    content: {
      template: { id: 'tpl1', name: 'order_update', language: 'en_US' },
      parameters: { header: { 1: 'A-42' }, body: { 1: 'Carla', 2: 'on its way' }, buttons: { 1: 'A-42' } },
      components,
    },
  });

  it('a template shows its header, body, footer and buttons; agents see its name', () => {
    const el = show(template);
    expect(el.textContent).toContain('Template: order_update');
    expect(el.querySelector('.msg-rich-header')?.textContent).toBe('Order A-42');
    expect(el.textContent).toContain('Hi Carla, your order is on its way.');
    expect(el.querySelector('.msg-rich-footer')?.textContent).toBe('Acme Shoes');
    const buttons = within(el).getByTestId('message-buttons');
    expect((within(buttons).getByRole('button', { name: 'Thanks!' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(buttons).getByRole('link', { name: /Track it/ }).getAttribute('href')).toBe('https://acme.example/t/A-42');
  });

  it('on the test phone a quick reply can be tapped, and the template name is hidden', () => {
    const onReply = vi.fn();
    const { container } = render(
      <BubbleContext.Provider value={{ templates: new Map(), onReply, viewer: 'customer' }}>
        <MessageBubble message={template} side="start" ticks />
      </BubbleContext.Provider>,
    );
    expect(container.textContent).not.toContain('Template: order_update');
    fireEvent.click(screen.getByRole('button', { name: 'Thanks!' }));
    expect(onReply).toHaveBeenCalledWith({ kind: 'button', id: 'Thanks!', title: 'Thanks!' });
  });

  it('buttons and lists the business sent are tappable replies on the test phone', () => {
    const onReply = vi.fn();
    const buttons = msg({
      direction: 'outbound',
      status: 'read',
      kind: 'interactive',
      body: 'Shall we confirm Friday?',
      content: { outbound: { type: 'buttons', header: { text: 'Your visit' }, body: 'Shall we confirm Friday?', footer: 'Reply below', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] } },
    });
    const list = msg({
      direction: 'outbound',
      status: 'read',
      kind: 'interactive',
      body: 'Pick a slot',
      content: {
        outbound: { type: 'list', body: 'Pick a slot', button: 'See slots', sections: [{ title: 'Friday', rows: [{ id: 'fri-9', title: '9:00', description: 'Morning' }] }] },
      },
    });
    render(
      <BubbleContext.Provider value={{ templates: new Map(), onReply, viewer: 'customer' }}>
        <MessageBubble message={buttons} side="start" ticks />
        <MessageBubble message={list} side="start" ticks />
      </BubbleContext.Provider>,
    );
    expect(screen.getByText('Your visit')).toBeTruthy();
    expect(screen.getByText('Reply below')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'No' }));
    expect(onReply).toHaveBeenLastCalledWith({ kind: 'button', id: 'no', title: 'No' });
    fireEvent.click(screen.getByRole('button', { name: 'See slots' }));
    fireEvent.click(screen.getByRole('menuitem', { name: /9:00/ }));
    expect(onReply).toHaveBeenLastCalledWith({ kind: 'list', id: 'fri-9', title: '9:00' });
  });

  it('in the inbox the same buttons are shown but cannot be pressed', () => {
    const el = show(
      msg({
        direction: 'outbound',
        status: 'read',
        kind: 'interactive',
        body: 'Shall we?',
        content: { outbound: { type: 'buttons', body: 'Shall we?', buttons: [{ id: 'yes', title: 'Yes' }] } },
      }),
    );
    expect((within(el).getByRole('button', { name: 'Yes' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('MessageBubble: reactions and replies', () => {
  it('shows reactions on the message they react to', () => {
    const el = show(msg({ direction: 'outbound', status: 'read', body: 'Shipped!' }), { reactions: [{ emoji: '❤️', direction: 'inbound', name: 'Carla' }] });
    expect(within(el).getByTestId('reactions').textContent).toBe('❤️');
    expect(within(el).getByRole('img', { name: 'Carla reacted ❤️' })).toBeTruthy();
  });

  it('offers to quote a message in the answer', () => {
    const onReplyTo = vi.fn();
    const m = msg({ body: 'Do you have it in blue?' });
    render(<MessageBubble message={m} side="start" onReplyTo={onReplyTo} />);
    fireEvent.click(screen.getByRole('button', { name: 'Quote this message in your answer' }));
    expect(onReplyTo).toHaveBeenCalledWith(m);
  });
});

describe('automatic replies', () => {
  it('labels a greeting or away message "Automatic" instead of the sender, in the agents’ timeline only', () => {
    const away = msg({ direction: 'outbound', sender_type: 'system', body: 'We are closed', content: { automatic: 'away' }, status: 'sent' });
    const { unmount } = render(<MessageBubble message={away} side="end" ticks markAutomatic sender="Acme" />);
    const label = screen.getByTestId('msg-automatic');
    expect(label.textContent).toBe('Automatic');
    expect(label.getAttribute('title')).toBe('Away message sent automatically outside business hours');
    expect(screen.queryByText('Acme')).toBeNull();
    unmount();
    // An agent's reply keeps its sender; the test phone (no markAutomatic) shows no label.
    render(<MessageBubble message={msg({ direction: 'outbound', sender_type: 'agent', sender_id: 'm1', body: 'Hi', status: 'sent' })} side="end" ticks markAutomatic sender="You" />);
    expect(screen.queryByTestId('msg-automatic')).toBeNull();
    expect(screen.getByText('You')).toBeTruthy();
    render(<MessageBubble message={msg({ direction: 'outbound', sender_type: 'system', body: 'Hello!', content: { automatic: 'greeting' } })} side="start" />);
    expect(screen.queryByTestId('msg-automatic')).toBeNull();
  });

  it('labels the closing message sent before auto-resolving, and any newer kind, "Automatic"', () => {
    const closing = msg({ direction: 'outbound', sender_type: 'system', body: 'Closing this chat, thanks!', content: { automatic: 'closing' }, status: 'sent' });
    const { unmount } = render(<MessageBubble message={closing} side="end" ticks markAutomatic sender="Acme" />);
    const label = screen.getByTestId('msg-automatic');
    expect(label.textContent).toBe('Automatic · Closing message');
    expect(label.getAttribute('title')).toBe('Closing message sent automatically before Chorus resolved the quiet conversation');
    expect(screen.queryByText('Acme')).toBeNull();
    unmount();
    render(<MessageBubble message={msg({ direction: 'outbound', sender_type: 'system', body: 'Hm', content: { automatic: 'something_new' }, status: 'sent' })} side="end" ticks markAutomatic sender="Acme" />);
    expect(screen.getByTestId('msg-automatic').textContent).toBe('Automatic');
    expect(screen.getByTestId('msg-automatic').getAttribute('title')).toBe('Sent automatically by Chorus');
  });
});

describe('bot messages', () => {
  it('are marked "Bot" with the bot\'s name in the agents’ timeline', () => {
    const m = msg({ direction: 'outbound', sender_type: 'bot', sender_id: 'b1', sender_name: 'Triage', body: 'Your order number?', content: { bot: { id: 'b1', name: 'Triage' } }, status: 'sent' });
    const { unmount } = render(<MessageBubble message={m} side="end" ticks markAutomatic sender="Triage" />);
    const label = screen.getByTestId('msg-bot');
    expect(label.textContent).toBe('Bot · Triage');
    expect(label.getAttribute('title')).toBe('Sent by the bot Triage');
    unmount();
    render(<MessageBubble message={m} side="start" />);
    expect(screen.queryByTestId('msg-bot')).toBeNull();
  });
});

describe('MessageBubble: reacting', () => {
  it('offers a few emoji; picking one reacts, picking the current one takes it back', () => {
    const onReact = vi.fn();
    const m = msg({ body: 'Thanks so much!' });
    const { rerender } = render(<MessageBubble message={m} side="start" onReact={onReact} />);
    const react = screen.getByRole('button', { name: 'React' });
    expect(react.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(react);
    const picker = screen.getByRole('group', { name: 'Reactions' });
    expect(within(picker).getAllByRole('button').map((b) => b.textContent)).toEqual(['👍', '❤️', '😂', '😮', '😢', '🙏']);
    expect(document.activeElement).toBe(within(picker).getByRole('button', { name: 'React with 👍' }));
    fireEvent.keyDown(picker, { key: 'ArrowRight' });
    expect(document.activeElement).toBe(within(picker).getByRole('button', { name: 'React with ❤️' }));
    fireEvent.click(within(picker).getByRole('button', { name: 'React with 👍' }));
    expect(onReact).toHaveBeenLastCalledWith(m, '👍');
    expect(screen.queryByRole('group', { name: 'Reactions' })).toBeNull();
    expect(document.activeElement).toBe(react);

    rerender(<MessageBubble message={m} side="start" onReact={onReact} reactions={[{ emoji: '👍', direction: 'outbound', name: 'Olivia Owner' }]} />);
    expect(screen.getByRole('img', { name: 'Olivia Owner reacted 👍' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'React' }));
    const mine = screen.getByRole('button', { name: 'Remove your reaction 👍' });
    expect(mine.getAttribute('aria-pressed')).toBe('true');
    expect(document.activeElement).toBe(mine);
    fireEvent.click(mine);
    expect(onReact).toHaveBeenLastCalledWith(m, '');
  });

  it('Escape closes the picker; messages not on WhatsApp yet, and reactions, cannot be reacted to', () => {
    const onReact = vi.fn();
    render(
      <>
        <MessageBubble message={msg({ body: 'Sent' })} side="start" onReact={onReact} />
        <MessageBubble message={msg({ direction: 'outbound', status: 'queued', wamid: null, body: 'Going' })} side="end" onReact={onReact} />
        <MessageBubble message={msg({ kind: 'reaction', content: { emoji: '❤️', message_id: 'wamid.x' } })} side="start" onReact={onReact} />
      </>,
    );
    expect(screen.getAllByRole('button', { name: 'React' })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'React' }));
    fireEvent.keyDown(screen.getByRole('group', { name: 'Reactions' }), { key: 'Escape' });
    expect(screen.queryByRole('group', { name: 'Reactions' })).toBeNull();
    expect(onReact).not.toHaveBeenCalled();
  });
});
