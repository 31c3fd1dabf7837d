// Inbox keyboard shortcuts. Single keys, ignored while typing in a box or with a modifier held.

export type InboxCommand = 'next' | 'previous' | 'reply' | 'note' | 'resolve' | 'assign' | 'canned' | 'help';

export const SHORTCUTS: { key: string; command: InboxCommand }[] = [
  { key: 'j', command: 'next' },
  { key: 'k', command: 'previous' },
  { key: 'r', command: 'reply' },
  { key: 'n', command: 'note' },
  { key: 'e', command: 'resolve' },
  { key: 'a', command: 'assign' },
  { key: '/', command: 'canned' },
  { key: '?', command: 'help' },
];

/** Whether the event comes from somewhere the person types (inputs, text areas, editable text, selects). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  return Boolean(el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'));
}

export function commandFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target' | 'isComposing'>): InboxCommand | null {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return null;
  if (isTypingTarget(e.target)) return null;
  // Inside a dialog or an open menu the keys belong to it.
  const el = e.target as HTMLElement | null;
  if (el && typeof el.closest === 'function' && el.closest('[role="dialog"], [role="menu"], [role="listbox"]')) return null;
  return SHORTCUTS.find((s) => s.key === e.key)?.command ?? null;
}
