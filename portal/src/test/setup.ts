import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import i18n from '../i18n';

// Tests read English strings regardless of the machine's locale.
void i18n.changeLanguage('en');

afterEach(() => {
  cleanup();
});

// jsdom has no ResizeObserver; recharts' ResponsiveContainer needs one (it never fires here).
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}
