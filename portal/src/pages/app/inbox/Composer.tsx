import { useEffect, useId, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { media as mediaApi, type MediaKind, type UploadedMedia, type UploadOptions } from '../../../api';
import { Icon } from '../../../components/Icon';
import { currentLanguage } from '../../../i18n';
import { canSend, isSendKey, MAX_MESSAGE_LENGTH, type ComposerBlock } from '../../../lib/composer';
import { describeError } from '../../../lib/errors';
import { ACCEPTED_TYPES, checkFile, fileProblemMessage, formatBytes, mediaKindOf, takesCaption, uploadErrorMessage } from '../../../lib/media';

/** WhatsApp's limit for a media caption. */
export const MAX_CAPTION_LENGTH = 1024;

export type Uploader = (file: File, opts: UploadOptions) => Promise<UploadedMedia>;

export interface ComposerProps {
  block: ComposerBlock;
  /** Sends the text; throwing puts the text back and shows the error. */
  onSend: (text: string) => Promise<void>;
  /** Sends an uploaded file with its caption (absent: no attach button). */
  onSendMedia?: (media: UploadedMedia, caption: string) => Promise<void>;
  /** Opens the template picker (absent: no template button). */
  onTemplates?: () => void;
  /** The message being answered, shown above the box. */
  replyTo?: { author: string; text: string } | null;
  onCancelReply?: () => void;
  /** Changes when another conversation opens (clears the draft and error). */
  resetKey?: string;
  /** How files are uploaded (tests swap it). */
  upload?: Uploader;
}

interface Attachment {
  file: File;
  kind: MediaKind | null;
  preview: string | null;
  progress: number;
  status: 'uploading' | 'ready' | 'failed';
  media?: UploadedMedia;
  error?: string;
  abort: AbortController;
}

const defaultUpload: Uploader = (file, opts) => mediaApi.upload(file, opts);

export function Composer({ block, onSend, onSendMedia, onTemplates, replyTo, onCancelReply, resetKey, upload = defaultUpload }: ComposerProps) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [sending, setSending] = useState(false);
  const [dragging, setDragging] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const disabled = block !== null;
  const length = [...text.trim()].length;
  const captionAllowed = !attachment || takesCaption(attachment.kind);
  const limit = attachment ? MAX_CAPTION_LENGTH : MAX_MESSAGE_LENGTH;
  const templatesAllowed = Boolean(onTemplates) && (block === null || block === 'window_closed');

  useEffect(() => {
    setText('');
    setError(null);
    setAttachment((a) => {
      if (a) discard(a);
      return null;
    });
  }, [resetKey]);

  // Grow with the text up to a few lines, then scroll.
  useEffect(() => {
    const el = area.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 168)}px`;
  }, [text]);

  function discard(a: Attachment) {
    if (a.status === 'uploading') a.abort.abort();
    if (a.preview) URL.revokeObjectURL(a.preview);
  }

  function attach(file: File) {
    if (disabled || !onSendMedia) return;
    setError(null);
    const problem = checkFile(file);
    if (problem) {
      setError(fileProblemMessage(t, problem));
      return;
    }
    if (attachment) discard(attachment);
    const kind = mediaKindOf(file.type);
    const abort = new AbortController();
    const preview = kind === 'image' || kind === 'sticker' ? safeObjectUrl(file) : null;
    const a: Attachment = { file, kind, preview, progress: 0, status: 'uploading', abort };
    setAttachment(a);
    const update = (patch: Partial<Attachment>) => setAttachment((cur) => (cur && cur.abort === abort ? { ...cur, ...patch } : cur));
    upload(file, {
      signal: abort.signal,
      onProgress: (loaded, total) => update({ progress: total ? loaded / total : 0 }),
    }).then(
      (media) => update({ status: 'ready', progress: 1, media }),
      (e) => {
        if (e instanceof DOMException && e.name === 'AbortError') return;
        update({ status: 'failed', error: uploadErrorMessage(t, e, file) });
      },
    );
    area.current?.focus();
  }

  function removeAttachment() {
    if (attachment) discard(attachment);
    setAttachment(null);
    setError(null);
  }

  const ready = attachment
    ? attachment.status === 'ready' && !disabled && !sending && (captionAllowed ? length <= MAX_CAPTION_LENGTH : true)
    : canSend(text, block, sending);

  async function submit() {
    if (!ready) return;
    if (attachment?.media && onSendMedia) {
      const caption = captionAllowed ? text.trim() : '';
      setSending(true);
      setError(null);
      try {
        await onSendMedia(attachment.media, caption);
        if (attachment.preview) URL.revokeObjectURL(attachment.preview);
        setAttachment(null);
        setText('');
      } catch (e) {
        setError(describeError(t, e));
      } finally {
        setSending(false);
      }
      return;
    }
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

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer?.files?.[0];
    if (file) attach(file);
  }

  return (
    <div
      className={`composer${disabled ? ' composer-disabled' : ''}${dragging ? ' composer-dragging' : ''}`}
      onDragOver={(e) => {
        if (!disabled && onSendMedia && e.dataTransfer?.types?.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
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
          {block === 'window_closed' && templatesAllowed && (
            <button type="button" className="btn btn-primary btn-sm composer-blocked-action" onClick={onTemplates}>
              <Icon name="template" size={15} />
              {t('inbox.composer.sendTemplate')}
            </button>
          )}
        </div>
      )}
      {replyTo && !disabled && (
        <div className="composer-reply" data-testid="composer-reply">
          <Icon name="reply" size={15} />
          <span className="composer-reply-text">
            <span className="quote-author">{replyTo.author}</span>
            <span className="quote-text">{replyTo.text}</span>
          </span>
          <button type="button" className="icon-button icon-button-sm" onClick={onCancelReply} aria-label={t('inbox.composer.cancelReply')}>
            <Icon name="x" size={15} />
          </button>
        </div>
      )}
      {attachment && (
        <div className={`composer-attachment composer-attachment-${attachment.status}`} data-testid="composer-attachment">
          {attachment.preview ? (
            <img className="composer-attachment-thumb" src={attachment.preview} alt="" />
          ) : (
            <span className="composer-attachment-icon">
              <Icon name={attachment.kind === 'video' ? 'video' : attachment.kind === 'audio' ? 'music' : 'file'} size={20} />
            </span>
          )}
          <span className="composer-attachment-text">
            <span className="composer-attachment-name">{attachment.file.name}</span>
            <span className="composer-attachment-note">
              {attachment.status === 'uploading'
                ? t('inbox.composer.uploading', { percent: Math.round(attachment.progress * 100) })
                : attachment.status === 'failed'
                  ? attachment.error
                  : `${formatBytes(attachment.file.size, currentLanguage())}${captionAllowed ? '' : ` · ${t('inbox.composer.noCaption')}`}`}
            </span>
            {attachment.status === 'uploading' && (
              <span
                className="progress"
                role="progressbar"
                aria-label={t('inbox.composer.uploadProgress')}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(attachment.progress * 100)}
              >
                <span className="progress-bar" style={{ width: `${Math.max(4, attachment.progress * 100)}%` }} />
              </span>
            )}
          </span>
          <button type="button" className="icon-button icon-button-sm" onClick={removeAttachment} aria-label={t('inbox.composer.removeAttachment')}>
            <Icon name="x" size={16} />
          </button>
        </div>
      )}
      <form
        className="composer-row"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {(onSendMedia || onTemplates) && (
          <div className="composer-tools">
            {onSendMedia && (
              <>
                <button
                  type="button"
                  className="icon-button composer-tool"
                  disabled={disabled || sending}
                  onClick={() => picker.current?.click()}
                  aria-label={t('inbox.composer.attach')}
                  title={t('inbox.composer.attach')}
                >
                  <Icon name="paperclip" size={19} />
                </button>
                <input
                  ref={picker}
                  type="file"
                  className="sr-only"
                  tabIndex={-1}
                  accept={ACCEPTED_TYPES}
                  data-testid="composer-file"
                  aria-label={t('inbox.composer.attach')}
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    e.target.value = '';
                    if (file) attach(file);
                  }}
                />
              </>
            )}
            {onTemplates && (
              <button
                type="button"
                className="icon-button composer-tool"
                disabled={!templatesAllowed}
                onClick={onTemplates}
                aria-label={t('inbox.composer.templates')}
                title={t('inbox.composer.templates')}
              >
                <Icon name="template" size={19} />
              </button>
            )}
          </div>
        )}
        <textarea
          ref={area}
          className="composer-input"
          rows={1}
          value={text}
          disabled={disabled || !captionAllowed}
          placeholder={
            disabled
              ? t('inbox.composer.placeholderDisabled')
              : attachment
                ? captionAllowed
                  ? t('inbox.composer.captionPlaceholder')
                  : t('inbox.composer.noCaption')
                : t('inbox.composer.placeholder')
          }
          aria-label={t('inbox.composer.label')}
          aria-describedby={hintId}
          maxLength={MAX_MESSAGE_LENGTH + 200}
          onChange={(e) => setText(e.target.value)}
          onPaste={(e) => {
            const file = e.clipboardData?.files?.[0];
            if (file && onSendMedia && !disabled) {
              e.preventDefault();
              attach(file);
            }
          }}
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
          disabled={!ready}
          aria-label={t('inbox.composer.send')}
          title={t('inbox.composer.send')}
        >
          <Icon name="send" size={17} />
        </button>
      </form>
      <div className="composer-foot" id={hintId}>
        <span>{disabled ? '' : t('inbox.composer.hint')}</span>
        {length > limit - (attachment ? 100 : 500) && (
          <span className={length > limit ? 'composer-count composer-count-over' : 'composer-count'}>
            {length} / {limit}
          </span>
        )}
      </div>
    </div>
  );
}

function safeObjectUrl(file: File): string | null {
  try {
    return typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null;
  } catch {
    return null;
  }
}
