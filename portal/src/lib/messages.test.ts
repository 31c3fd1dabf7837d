import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { isSettled, osmUrl, previewText, summarize, tickFor } from './messages';

const t = i18n.t.bind(i18n);

describe('message helpers', () => {
  it('knows which messages can still change', () => {
    expect(isSettled({ direction: 'inbound', status: 'received' })).toBe(true);
    for (const s of ['queued', 'sending', 'sent', 'delivered']) expect(isSettled({ direction: 'outbound', status: s })).toBe(false);
    for (const s of ['read', 'played', 'failed']) expect(isSettled({ direction: 'outbound', status: s })).toBe(true);
    expect(tickFor('played')).toBe('read');
    expect(tickFor('something-new')).toBe('pending');
  });

  it('summarises messages for quotes and previews', () => {
    expect(summarize(t, { kind: 'image', body: null, content: { caption: 'Shop front' } })).toBe('Photo: Shop front');
    expect(summarize(t, { kind: 'location', body: null, content: { name: 'Sol' } })).toBe('Location: Sol');
    expect(summarize(t, { kind: 'reaction', body: null, content: { emoji: '❤️' } })).toBe('Reacted ❤️');
    expect(summarize(t, { kind: 'poll', body: null, content: {} })).toBe('poll');
    expect(previewText(t, '[image]')).toBe('Photo');
    expect(previewText(t, '[contacts]')).toBe('Contact card');
    expect(previewText(t, 'Hello [there]')).toBe('Hello [there]');
  });

  it('links OpenStreetMap at the point', () => {
    expect(osmUrl(40.416775, -3.70379)).toBe('https://www.openstreetmap.org/?mlat=40.416775&mlon=-3.70379#map=17/40.416775/-3.70379');
    expect(osmUrl(10, 20)).toBe('https://www.openstreetmap.org/?mlat=10&mlon=20#map=17/10/20');
  });
});
