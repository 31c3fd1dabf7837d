import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../lib/errors';
import { Alert } from './Alert';
import { Modal } from './Modal';

export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  busyLabel,
  onConfirm,
  onClose,
  tone = 'danger',
}: {
  title: ReactNode;
  body: ReactNode;
  confirmLabel: string;
  busyLabel?: string;
  /** Throwing keeps the dialog open and shows the error. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  tone?: 'danger' | 'primary';
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      size="sm"
      title={title}
      onClose={onClose}
      busy={busy}
      onSubmit={async () => {
        setBusy(true);
        setError(null);
        try {
          await onConfirm();
          onClose();
        } catch (e) {
          setError(describeError(t, e));
          setBusy(false);
        }
      }}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className={`btn btn-${tone}`} disabled={busy} data-autofocus>
            {busy ? (busyLabel ?? t('common.saving')) : confirmLabel}
          </button>
        </>
      }
    >
      <p className="confirm-body">{body}</p>
      {error && <Alert>{error}</Alert>}
    </Modal>
  );
}
