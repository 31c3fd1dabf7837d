import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../../components/Icon';
import { canSend, isSendKey, MAX_MESSAGE_LENGTH, type ComposerBlock } from '../../../lib/composer';
import { describeError } from '../../../lib/errors';

export interface ComposerProps {
  block: ComposerBlock;
  /** Sends the text; throwing puts the text back and shows the error. */
  onSend: (text: string) => Promise<void>;
  /** Changes when another conversation opens (clears the draft and error). */
  resetKey?: string;
}

export function Composer({ block, onSend, resetKey }: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const hintId = useId();
  const disabled = block !== null;
  const length = [...text.trim()].length;

  useEffect(() => {
    setText('');
    setError(null);
  }, [resetKey]);

  // Grow with the text up to a few lines, then scroll.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 168)}px`;
  }, [text]);

  async function submit() {
    if (!canSend(text, block)) return;
    const value = text.trim();
    setText('');
    setError(null);
    try {
      await onSend(value);
    } catch (e) {
      setText((current) => (current.trim() ? current : value));
      setError(describeError(t, e));
    }
  }

  return (
    <div className={`composer${disabled ? ' composer-disabled' : ''}`}>
      {error && (
        <div className="composer-error" role="alert">
          <Icon name="alert" size={15} />
          <span>{error}</span>
        </div>
      )}
      {block && (
        <div className="composer-blocked" data-testid="composer-blocked">
          <Icon name={block === 'window_closed' ? 'clock' : 'lock'} size={15} />
          <span>{t(`inbox.composer.blocked.${block}`)}</span>
        </div>
      )}
      <form
        className="composer-row"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <textarea
          ref={area}
          className="composer-input"
          rows={1}
          value={text}
          disabled={disabled}
          placeholder={disabled ? t('inbox.composer.placeholderDisabled') : t('inbox.composer.placeholder')}
          aria-label={t('inbox.composer.label')}
          aria-describedby={hintId}
          maxLength={MAX_MESSAGE_LENGTH + 200}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (isSendKey({ key: e.key, shiftKey: e.shiftKey, altKey: e.altKey, isComposing: e.nativeEvent.isComposing })) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button
          type="submit"
          className="btn btn-primary composer-send"
          disabled={!canSend(text, block)}
          aria-label={t('inbox.composer.send')}
          title={t('inbox.composer.send')}
        >
          <Icon name="send" size={17} />
        </button>
      </form>
      <div className="composer-foot" id={hintId}>
        <span>{disabled ? '' : t('inbox.composer.hint')}</span>
        {length > MAX_MESSAGE_LENGTH - 500 && (
          <span className={length > MAX_MESSAGE_LENGTH ? 'composer-count composer-count-over' : 'composer-count'}>
            {length} / {MAX_MESSAGE_LENGTH}
          </span>
        )}
      </div>
    </div>
  );
}
