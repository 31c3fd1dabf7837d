import { useEffect } from 'react';

/** Sets the browser tab title to "<title> · Chorus" while the page is shown. */
export function useDocumentTitle(title: unknown) {
  useEffect(() => {
    if (typeof title === 'string' && title) document.title = `${title} · Chorus`;
  }, [title]);
}
