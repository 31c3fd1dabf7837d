import { describe, expect, it } from 'vitest';
import { conversationQuery } from '../api';
import { insertMention, mentionCandidates, mentionQuery, mentionsInText, splitMentions } from './mentions';
import { commandFor, isTypingTarget } from './shortcuts';
import { inOneHour, nextWeek, toLocalInput, tomorrowNine } from './snooze';
import { parseFrame } from './realtime';
import { topicMatches } from './live';

describe('conversation list query', () => {
  it('leaves defaults out and sends every contract filter', () => {
    expect(conversationQuery({}).toString()).toBe('limit=50');
    expect(conversationQuery({ assignee: 'all', sort: 'activity', q: '   ' }).toString()).toBe('limit=50');
    const q = conversationQuery({
      status: 'snoozed',
      number_id: 'n1',
      assignee: 'me',
      team_id: 'tm1',
      tag_id: 'tg1',
      priority: 'urgent',
      window: 'closing',
      sort: 'waiting',
      q: ' zapatos rojos ',
      cursor: 'abc',
      limit: 20,
    });
    expect(Object.fromEntries(q)).toEqual({
      status: 'snoozed',
      number_id: 'n1',
      assignee: 'me',
      team_id: 'tm1',
      tag_id: 'tg1',
      priority: 'urgent',
      window: 'closing',
      sort: 'waiting',
      q: 'zapatos rojos',
      cursor: 'abc',
      limit: '20',
    });
    expect(conversationQuery({ assignee: 'unassigned' }).get('assignee')).toBe('unassigned');
  });
});

describe('keyboard shortcuts', () => {
  const key = (k: string, target: EventTarget | null = document.body, mods: Partial<KeyboardEvent> = {}) =>
    commandFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, isComposing: false, target, ...mods } as KeyboardEvent);

  it('maps the single keys', () => {
    expect(['j', 'k', 'r', 'n', 'e', 'a', '/', '?'].map((k) => key(k))).toEqual(['next', 'previous', 'reply', 'note', 'resolve', 'assign', 'canned', 'help']);
    expect(key('x')).toBeNull();
  });

  it('is ignored while typing, with modifiers, and inside dialogs', () => {
    const input = document.createElement('input');
    const area = document.createElement('textarea');
    const select = document.createElement('select');
    document.body.append(input, area, select);
    expect(isTypingTarget(input)).toBe(true);
    expect(key('j', input)).toBeNull();
    expect(key('e', area)).toBeNull();
    expect(key('k', select)).toBeNull();
    expect(key('j', document.body, { ctrlKey: true })).toBeNull();
    expect(key('r', document.body, { metaKey: true })).toBeNull();
    const dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    const button = document.createElement('button');
    dialog.append(button);
    document.body.append(dialog);
    expect(key('e', button)).toBeNull();
    document.body.innerHTML = '';
  });
});

describe('mentions', () => {
  const list = { agents: [{ id: 'a1', name: 'Ana Ruiz' }, { id: 'a2', name: 'Luis' }], teams: [{ id: 't1', name: 'Sales' }] };

  it('finds the @word before the caret', () => {
    expect(mentionQuery('Hi @an', 6)).toEqual({ start: 3, query: 'an' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail@example', 12)).toBeNull();
    expect(mentionQuery('Hi @ana done', 12)).toBeNull();
  });

  it('suggests agents and teams, prefix first', () => {
    expect(mentionCandidates(list, 'ru').map((c) => c.name)).toEqual(['Ana Ruiz']);
    expect(mentionCandidates(list, 's').map((c) => [c.type, c.name])).toEqual([['team', 'Sales']]);
    expect(mentionCandidates(list, '')).toHaveLength(3);
  });

  it('inserts the name and sends only mentions still written', () => {
    const r = insertMention('Ask @an please', { start: 4, query: 'an' }, 'Ana Ruiz');
    expect(r.text).toBe('Ask @Ana Ruiz  please');
    expect(r.caret).toBe(14);
    const chosen = [{ type: 'agent' as const, id: 'a1', name: 'Ana Ruiz' }, { type: 'team' as const, id: 't1', name: 'Sales' }, { type: 'agent' as const, id: 'a1', name: 'Ana Ruiz' }];
    expect(mentionsInText('@Ana Ruiz look', chosen)).toEqual([{ type: 'agent', id: 'a1' }]);
  });

  it('splits a note body into highlighted mentions', () => {
    expect(splitMentions('Ping @Ana Ruiz and @Sales!', ['Ana Ruiz', 'Sales'])).toEqual([
      { text: 'Ping ', mention: false },
      { text: '@Ana Ruiz', mention: true },
      { text: ' and ', mention: false },
      { text: '@Sales', mention: true },
      { text: '!', mention: false },
    ]);
    expect(splitMentions('no names', [])).toEqual([{ text: 'no names', mention: false }]);
  });
});

describe('snooze choices', () => {
  it('computes 1 h, tomorrow 9:00 and next Monday 9:00 in local time', () => {
    const wed = new Date(2026, 10, 25, 15, 30); // Wednesday
    expect(inOneHour(wed).getTime() - wed.getTime()).toBe(3600_000);
    expect(toLocalInput(tomorrowNine(wed))).toBe('2026-11-26T09:00');
    expect(toLocalInput(nextWeek(wed))).toBe('2026-11-30T09:00');
    const mon = new Date(2026, 10, 30, 8, 0);
    expect(toLocalInput(nextWeek(mon))).toBe('2026-12-07T09:00');
  });
});

describe('realtime frames of issue 4', () => {
  it('reads data and null conversation ids; people frames reload nothing', () => {
    const viewers = parseFrame('{"type":"event","cursor":"5","kind":"viewers","conversation_id":"c1","data":{"viewers":[{"membership_id":"m2","name":"Ana"}]}}');
    expect(viewers).toEqual({ type: 'event', event: { kind: 'viewers', conversationId: 'c1', messageId: null, cursor: '5', data: { viewers: [{ membership_id: 'm2', name: 'Ana' }] } } });
    const note = parseFrame('{"type":"event","cursor":"6","kind":"notification.created","conversation_id":null}');
    expect(note).toMatchObject({ event: { kind: 'notification.created', conversationId: null } });
    if (viewers?.type !== 'event' || note?.type !== 'event') throw new Error('frames');
    expect(topicMatches({ kind: 'conversation', id: 'c1' }, viewers.event)).toBe(false);
    expect(topicMatches({ kind: 'conversations' }, note.event)).toBe(false);
    expect(topicMatches({ kind: 'conversations' }, { kind: 'message.created', conversationId: 'c1', messageId: null, cursor: '' })).toBe(true);
  });
});
