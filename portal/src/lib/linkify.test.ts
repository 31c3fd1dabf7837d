import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

describe('linkify', () => {
  it('finds http(s) and www links and leaves the rest as text', () => {
    expect(linkify('see https://a.example/x, then www.b.example.')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://a.example/x', href: 'https://a.example/x' },
      { type: 'text', text: ', then ' },
      { type: 'link', text: 'www.b.example', href: 'https://www.b.example' },
      { type: 'text', text: '.' },
    ]);
  });

  it('keeps brackets that belong to the link', () => {
    const s = linkify('(https://en.wikipedia.org/wiki/Foo_(bar))');
    expect(s[1]).toEqual({ type: 'link', text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
    expect(s[2]).toEqual({ type: 'text', text: ')' });
  });

  it('never links other schemes or hostless text', () => {
    expect(linkify('javascript:alert(1) data:text/html,x https://localhost')).toEqual([
      { type: 'text', text: 'javascript:alert(1) data:text/html,x https://localhost' },
    ]);
    expect(linkify('')).toEqual([]);
  });
});
