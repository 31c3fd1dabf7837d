import type { ReactNode } from 'react';
import { Icon } from './Icon';

export function Alert({ tone = 'error', children }: { tone?: 'error' | 'success' | 'info'; children: ReactNode }) {
  const icon = tone === 'error' ? 'alert' : tone === 'success' ? 'checkCircle' : 'info';
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <Icon name={icon} size={18} />
      <div className="alert-body">{children}</div>
    </div>
  );
}
