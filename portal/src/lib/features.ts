// Which issue-4 features this server lacks. A feature whose endpoint answers 404 (or 405/501)
// is hidden for the rest of the session instead of failing again and again.
import { useSyncExternalStore } from 'react';

export type Feature = 'notes' | 'canned' | 'notifications' | 'presence' | 'viewing' | 'typing' | 'tags';

const missing = new Set<Feature>();
const listeners = new Set<() => void>();

export function markMissing(feature: Feature) {
  if (missing.has(feature)) return;
  missing.add(feature);
  for (const l of [...listeners]) l();
}

export function isMissing(feature: Feature): boolean {
  return missing.has(feature);
}

/** For tests: forget what was learnt. */
export function resetFeatures() {
  missing.clear();
  for (const l of [...listeners]) l();
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => void listeners.delete(l);
}

/** Whether the server offers `feature` (true until a 404 said otherwise). */
export function useFeature(feature: Feature): boolean {
  return useSyncExternalStore(subscribe, () => !missing.has(feature));
}
