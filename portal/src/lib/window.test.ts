import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { formatRemaining, windowLabel, windowState } from './window';

const t = i18n.t.bind(i18n);
const NOW = Date.parse('2026-11-22T10:00:00Z');
const MIN = 60_000;
const in_ = (ms: number) => new Date(NOW + ms).toISOString();

describe('window countdown', () => {
  it('formats what is left in hours and minutes', () => {
    expect(formatRemaining(t, (3 * 60 + 12) * MIN)).toBe('3 h 12 min');
    expect(formatRemaining(t, (3 * 60 + 12) * MIN + 59_000)).toBe('3 h 12 min');
    expect(formatRemaining(t, 3 * 60 * MIN)).toBe('3 h');
    expect(formatRemaining(t, (23 * 60 + 59) * MIN + 59_000)).toBe('23 h 59 min');
    expect(formatRemaining(t, 71 * 60 * MIN)).toBe('71 h');
    expect(formatRemaining(t, 12 * MIN)).toBe('12 min');
    expect(formatRemaining(t, 59_000)).toBe('less than a minute');
  });

  it('says when the window closes, or that it has closed', () => {
    expect(windowLabel(t, in_((3 * 60 + 12) * MIN), NOW)).toBe('Window closes in 3 h 12 min');
    expect(windowLabel(t, in_(30_000), NOW)).toBe('Window closes in less than a minute');
    expect(windowLabel(t, in_(0), NOW)).toBe('Window closed: only templates can be sent');
    expect(windowLabel(t, in_(-5 * MIN), NOW)).toBe('Window closed: only templates can be sent');
    expect(windowLabel(t, null, NOW)).toBe('Window closed: only templates can be sent');
    expect(windowLabel(t, 'not a date', NOW)).toBe('Window closed: only templates can be sent');
  });

  it('flags the last hour', () => {
    expect(windowState(in_(59 * MIN), NOW)).toEqual({ open: true, remainingMs: 59 * MIN, closingSoon: true });
    expect(windowState(in_(61 * MIN), NOW).closingSoon).toBe(false);
    expect(windowState(in_(-1), NOW)).toEqual({ open: false, remainingMs: 0, closingSoon: false });
  });

  it('speaks Spanish too', async () => {
    await i18n.changeLanguage('es');
    try {
      expect(windowLabel(t, in_((3 * 60 + 12) * MIN), NOW)).toBe('La ventana se cierra en 3 h y 12 min');
      expect(windowLabel(t, null, NOW)).toBe('Ventana cerrada: solo se pueden enviar plantillas');
    } finally {
      await i18n.changeLanguage('en');
    }
  });
});
