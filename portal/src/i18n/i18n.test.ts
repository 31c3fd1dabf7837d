import { describe, expect, it } from 'vitest';
import en from './en';
import es from './es';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out[key] = v;
    else Object.assign(out, flatten(v, key));
  }
  return out;
}

const vars = (s: string) => [...s.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
const tags = (s: string) => [...s.matchAll(/<\/?(\w+)>/g)].map((m) => m[0]).sort();

describe('translations', () => {
  const english = flatten(en as unknown as Tree);
  const spanish = flatten(es as unknown as Tree);

  it('has every English key in Spanish', () => {
    const missing = Object.keys(english).filter((k) => !(k in spanish));
    expect(missing).toEqual([]);
  });

  it('has no Spanish key that English lacks', () => {
    const extra = Object.keys(spanish).filter((k) => !(k in english));
    expect(extra).toEqual([]);
  });

  it('has no empty strings', () => {
    expect(Object.entries(english).filter(([, v]) => !v.trim())).toEqual([]);
    expect(Object.entries(spanish).filter(([, v]) => !v.trim())).toEqual([]);
  });

  it('uses the same interpolation variables and markup in both languages', () => {
    const mismatched = Object.keys(english).filter(
      (k) => vars(english[k]).join() !== vars(spanish[k] ?? '').join() || tags(english[k]).join() !== tags(spanish[k] ?? '').join(),
    );
    expect(mismatched).toEqual([]);
  });

  it('actually translates (most strings differ from English)', () => {
    const same = Object.keys(english).filter((k) => english[k] === spanish[k]);
    // Brand names, language names, "Roles", "Supervisor", the em dash… are legitimately equal.
    expect(same.length).toBeLessThan(Object.keys(english).length * 0.05);
  });
});
