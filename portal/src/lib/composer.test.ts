import { describe, expect, it } from 'vitest';
import { canSend, composerBlock, isSendKey, MAX_MESSAGE_LENGTH } from './composer';

describe('composer rules', () => {
  it('blocks without the reply permission, on a disconnected number, and after the window', () => {
    expect(composerBlock({ canReply: true, windowOpen: true, numberStatus: 'connected' })).toBeNull();
    expect(composerBlock({ canReply: true, windowOpen: true })).toBeNull();
    expect(composerBlock({ canReply: true, windowOpen: false, numberStatus: 'connected' })).toBe('window_closed');
    expect(composerBlock({ canReply: true, windowOpen: true, numberStatus: 'disconnected' })).toBe('number_disconnected');
    // The permission is the first thing a person can't change, so it wins.
    expect(composerBlock({ canReply: false, windowOpen: false, numberStatus: 'disconnected' })).toBe('no_permission');
    expect(composerBlock({ canReply: true, windowOpen: true, numberStatus: 'needs_reconnect' })).toBeNull();
  });

  it('sends on Enter, not on Shift+Enter or while an input method composes', () => {
    expect(isSendKey({ key: 'Enter', shiftKey: false })).toBe(true);
    expect(isSendKey({ key: 'Enter', shiftKey: true })).toBe(false);
    expect(isSendKey({ key: 'Enter', shiftKey: false, isComposing: true })).toBe(false);
    expect(isSendKey({ key: 'Enter', shiftKey: false, altKey: true })).toBe(false);
    expect(isSendKey({ key: 'a', shiftKey: false })).toBe(false);
  });

  it('sends only 1 to 4096 characters, when not blocked or busy', () => {
    expect(canSend('hi', null)).toBe(true);
    expect(canSend('   \n ', null)).toBe(false);
    expect(canSend('hi', 'window_closed')).toBe(false);
    expect(canSend('hi', null, true)).toBe(false);
    expect(canSend('x'.repeat(MAX_MESSAGE_LENGTH), null)).toBe(true);
    expect(canSend('x'.repeat(MAX_MESSAGE_LENGTH + 1), null)).toBe(false);
    // Characters, not UTF-16 units: 4096 emoji are allowed.
    expect(canSend('😀'.repeat(MAX_MESSAGE_LENGTH), null)).toBe(true);
  });
});
