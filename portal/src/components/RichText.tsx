import { linkify } from '../lib/linkify';

/** Message text: line breaks kept (CSS white-space: pre-wrap), web links clickable and safe. */
export function RichText({ text, className = 'rich-text' }: { text: string; className?: string }) {
  return (
    <span className={className}>
      {linkify(text).map((s, i) =>
        s.type === 'link' ? (
          <a key={i} href={s.href} target="_blank" rel="noopener noreferrer nofollow">
            {s.text}
          </a>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </span>
  );
}
