export function Logo({ size = 32, withName = true }: { size?: number; withName?: boolean }) {
  return (
    <span className="logo">
      <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--brand)" />
        <path
          d="M9 11.5a2.5 2.5 0 0 1 2.5-2.5h9a2.5 2.5 0 0 1 2.5 2.5v6a2.5 2.5 0 0 1-2.5 2.5H15l-4 3.5V20h.5A2.5 2.5 0 0 1 9 17.5z"
          fill="#fff"
        />
        <circle cx="13" cy="14.5" r="1.2" fill="var(--brand)" />
        <circle cx="16" cy="14.5" r="1.2" fill="var(--brand)" />
        <circle cx="19" cy="14.5" r="1.2" fill="var(--brand)" />
      </svg>
      {withName && <span className="logo-name">Chorus</span>}
    </span>
  );
}
