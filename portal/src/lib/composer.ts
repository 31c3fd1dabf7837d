// When an agent may write a free-form reply, and which keys send it.

export const MAX_MESSAGE_LENGTH = 4096;

/** Codes of a send refused because another agent is answering (409). */
export const CONFLICT_CODES = new Set(['composer_locked', 'conversation_changed']);

export type ComposerBlock = 'no_permission' | 'number_disconnected' | 'window_closed' | null;

/** Why the composer is disabled, if it is (the first reason wins). */
export function composerBlock(opts: {
  canReply: boolean;
  windowOpen: boolean;
  numberStatus?: string | null;
}): ComposerBlock {
  if (!opts.canReply) return 'no_permission';
  if (opts.numberStatus === 'disconnected') return 'number_disconnected';
  if (!opts.windowOpen) return 'window_closed';
  return null;
}

/** Enter sends; Shift+Enter (or Enter while an input method is composing) makes a new line. */
export function isSendKey(e: { key: string; shiftKey: boolean; isComposing?: boolean; altKey?: boolean }): boolean {
  return e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.isComposing;
}

export function canSend(text: string, block: ComposerBlock, busy = false): boolean {
  const trimmed = text.trim();
  return !block && !busy && trimmed.length > 0 && [...trimmed].length <= MAX_MESSAGE_LENGTH;
}
