import { avatarColour, initials } from '../lib/format';

export function Avatar({ name, seed, size = 32 }: { name: string; seed?: string; size?: number }) {
  return (
    <span
      className="avatar"
      style={{ width: size, height: size, fontSize: Math.round(size * 0.4), background: avatarColour(seed ?? name) }}
      aria-hidden="true"
    >
      {initials(name)}
    </span>
  );
}
