import { useEffect, useId, useRef, useState, type DragEvent, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { canned as cannedApi, isApiError, isMissingEndpoint, media as mediaApi, type CannedResponse, type Mention, type Mentionables, type MediaKind, type UploadedMedia, type UploadOptions } from '../../../api';
import { Icon, type IconName } from '../../../components/Icon';
import { currentLanguage } from '../../../i18n';
import { canSend, CONFLICT_CODES, isSendKey, MAX_MESSAGE_LENGTH, type ComposerBlock } from '../../../lib/composer';
import { describeError } from '../../../lib/errors';
import type { RichBody, RichKind } from '../../../lib/interactive';
import { isMissing, markMissing, useFeature } from '../../../lib/features';
import { insertMention, mentionCandidates, mentionQuery, mentionsInText, type MentionCandidate } from '../../../lib/mentions';
import { ACCEPTED_TYPES, checkFile, fileProblemMessage, formatBytes, mediaKindOf, takesCaption, uploadErrorMessage } from '../../../lib/media';
import { RichMessageForm } from './RichMessageForm';

/** WhatsApp's limit for a media caption. */
export const MAX_CAPTION_LENGTH = 1024;

export type Uploader = (file: File, opts: UploadOptions) => Promise<UploadedMedia>;

export type ComposerMode = 'reply' | 'note';

/** The "More" menu: what each entry composes. */
const RICH_KINDS: { kind: RichKind; icon: IconName }[] = [
  { kind: 'buttons', icon: 'pointer' },
  { kind: 'list', icon: 'list' },
  { kind: 'location', icon: 'mapPin' },
];

export { CONFLICT_CODES } from '../../../lib/composer';

export interface ComposerProps {
  block: ComposerBlock;
  /**
   * Sends the text; throwing puts the text back and shows the error. A 409 `composer_locked` /
   * `conversation_changed` shows the server's sentence with "Send anyway" (`{force: true}`).
   */
  onSend: (text: string, opts?: { force?: boolean }) => Promise<void>;
  /** Saves an internal note (absent: no Reply/Note switch). */
  onNote?: (text: string, mentions: Mention[]) => Promise<void>;
  /** Who can be @mentioned in notes. */
  mentionables?: Mentionables | null;
  /** The conversation, so canned responses come with their placeholders filled in (absent: no picker). */
  conversationId?: string;
  /** The reply draft became non-empty (true, on each keystroke) or was cleared or sent (false). */
  onTyping?: (active: boolean) => void;
  /** Another agent holds the composer ("Luis is typing a reply"). */
  lockNotice?: string | null;
  /** A keyboard shortcut: switch to a mode and focus the box; `canned` starts a `/`. */
  command?: { name: 'reply' | 'note' | 'canned'; seq: number } | null;
  /** Sends an uploaded file with its caption (absent: no attach button). */
  onSendMedia?: (media: UploadedMedia, caption: string) => Promise<void>;
  /** Opens the template picker (absent: no template button). */
  onTemplates?: () => void;
  /** Sends reply buttons, a list or a location (absent: no "More" menu). Throwing keeps the form open. */
  onSendRich?: (body: RichBody, opts?: { force?: boolean }) => Promise<void>;
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

export function Composer({
  block: replyBlock,
  onSend,
  onSendMedia: sendMediaProp,
  onTemplates: templatesProp,
  onSendRich: sendRichProp,
  onNote,
  mentionables = null,
  conversationId,
  onTyping,
  lockNotice = null,
  command = null,
  replyTo,
  onCancelReply,
  resetKey,
  upload = defaultUpload,
}: ComposerProps) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [drafts, setDrafts] = useState<Record<ComposerMode, string>>({ reply: '', note: '' });
  const text = drafts[mode];
  const setText = (value: string | ((cur: string) => string)) =>
    setDrafts((d) => ({ ...d, [mode]: typeof value === 'function' ? value(d[mode]) : value }));
  const note = mode === 'note' && Boolean(onNote);
  const block = note ? null : replyBlock;
  const onSendMedia = note ? undefined : sendMediaProp;
  const onTemplates = note ? undefined : templatesProp;
  const onSendRich = note ? undefined : sendRichProp;
  const [moreOpen, setMoreOpen] = useState(false);
  const [richKind, setRichKind] = useState<RichKind | null>(null);
  const moreRoot = useRef<HTMLDivElement>(null);
  const moreButton = useRef<HTMLButtonElement>(null);
  const [conflict, setConflict] = useState<{ message: string; text: string } | null>(null);
  const [caret, setCaret] = useState(0);
  const [chosen, setChosen] = useState<MentionCandidate[]>([]);
  const [menuIndex, setMenuIndex] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const cannedOn = useFeature('canned') && Boolean(conversationId);
  const [cannedItems, setCannedItems] = useState<CannedResponse[] | null>(null);
  const typingRef = useRef(onTyping);
  typingRef.current = onTyping;
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
    setDrafts({ reply: '', note: '' });
    setMode('reply');
    setError(null);
    setConflict(null);
    setChosen([]);
    setMoreOpen(false);
    setRichKind(null);
    setAttachment((a) => {
      if (a) discard(a);
      return null;
    });
  }, [resetKey]);

  // Shortcuts: r (reply), n (note), / (canned responses).
  useEffect(() => {
    if (!command) return;
    const next: ComposerMode = command.name === 'note' && onNote ? 'note' : 'reply';
    setMode(next);
    if (command.name === 'canned') {
      setDrafts((d) => (d.reply.trim() ? d : { ...d, reply: '/' }));
      setDismissed(null);
    }
    requestAnimationFrame(() => {
      const el = area.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
      setCaret(el.value.length);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [command?.seq]);

  // The "More" menu: focus its first entry, close on a click elsewhere or Escape.
  useEffect(() => {
    if (!moreOpen) return;
    moreRoot.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (moreRoot.current && !moreRoot.current.contains(e.target as Node)) setMoreOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [moreOpen]);
  useEffect(() => {
    if (disabled) setMoreOpen(false);
  }, [disabled]);

  function moreKeys(e: ReactKeyboardEvent<HTMLDivElement>) {
    const items = [...(moreRoot.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      items[next]?.focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      items[e.key === 'Home' ? 0 : items.length - 1]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setMoreOpen(false);
      moreButton.current?.focus();
    } else if (e.key === 'Tab') {
      setMoreOpen(false);
    }
  }

  // The reply draft holds the composer lease while it has text (see ConversationView).
  const replyHasText = drafts.reply.trim().length > 0;
  useEffect(() => {
    if (!replyHasText) typingRef.current?.(false);
  }, [replyHasText]);
  useEffect(() => () => typingRef.current?.(false), [resetKey]);

  // "/shortcut" at the start of a reply opens the canned responses.
  const cannedQuery = !note && cannedOn && /^\/[a-z0-9_-]*$/i.test(text) && dismissed !== text ? text.slice(1).toLowerCase() : null;
  useEffect(() => {
    if (cannedQuery === null) {
      setCannedItems(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      cannedApi.search({ q: cannedQuery, conversation_id: conversationId }).then(
        (items) => {
          if (!live) return;
          setCannedItems(items);
          setMenuIndex(0);
        },
        (e) => {
          if (!live) return;
          if (isMissingEndpoint(e)) markMissing('canned');
          setCannedItems([]);
        },
      );
    }, isMissing('canned') ? 0 : 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [cannedQuery, conversationId]);

  // "@name" in a note opens the people and teams to mention.
  const mentionAt = note ? mentionQuery(text, caret) : null;
  const candidates = mentionAt ? mentionCandidates(mentionables, mentionAt.query) : [];
  const mentionOpen = Boolean(mentionAt) && candidates.length > 0 && dismissed !== `@${text}:${caret}`;
  const cannedOpen = cannedQuery !== null;
  const menuLength = mentionOpen ? candidates.length : cannedOpen ? (cannedItems?.length ?? 0) : 0;

  function insertCanned(item: CannedResponse) {
    const value = item.rendered ?? item.body;
    setText(value);
    setDismissed(value);
    setCannedItems(null);
    requestAnimationFrame(() => {
      const el = area.current;
      if (el) {
        el.focus();
        el.setSelectionRange(value.length, value.length);
      }
    });
  }

  function chooseMention(c: MentionCandidate) {
    if (!mentionAt) return;
    const next = insertMention(text, mentionAt, c.name);
    setText(next.text);
    setCaret(next.caret);
    setChosen((list) => [...list, c]);
    requestAnimationFrame(() => {
      const el = area.current;
      if (el) {
        el.focus();
        el.setSelectionRange(next.caret, next.caret);
      }
    });
  }

  function switchMode(next: ComposerMode) {
    setMode(next);
    setError(null);
    requestAnimationFrame(() => area.current?.focus());
  }

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
    : canSend(text, block, sending) && !conflict;

  async function submit() {
    if (!ready) return;
    if (note && onNote) {
      const value = text.trim();
      const mentions = mentionsInText(value, chosen);
      setSending(true);
      setError(null);
      try {
        await onNote(value, mentions);
        setDrafts((d) => ({ ...d, note: '' }));
        setChosen([]);
      } catch (e) {
        setError(describeError(t, e));
      } finally {
        setSending(false);
      }
      return;
    }
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
    await sendReply(value, false);
  }

  async function sendReply(value: string, force: boolean) {
    setText('');
    setError(null);
    setConflict(null);
    typingRef.current?.(false);
    try {
      await (force ? onSend(value, { force: true }) : onSend(value));
    } catch (e) {
      setDrafts((d) => ({ ...d, reply: d.reply.trim() ? d.reply : value }));
      if (isApiError(e) && e.status === 409 && CONFLICT_CODES.has(e.code)) {
        setConflict({ message: e.message || t('inbox.composer.conflictDefault'), text: value });
      } else {
        setError(describeError(t, e));
      }
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
      className={`composer${disabled ? ' composer-disabled' : ''}${dragging ? ' composer-dragging' : ''}${note ? ' composer-note' : ''}`}
      data-mode={mode}
      onDragOver={(e) => {
        if (!disabled && onSendMedia && e.dataTransfer?.types?.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {onNote && (
        <div className="composer-modes" role="group" aria-label={t('inbox.composer.mode')}>
          <button type="button" className={`composer-mode${mode === 'reply' ? ' composer-mode-active' : ''}`} aria-pressed={mode === 'reply'} onClick={() => switchMode('reply')}>
            <Icon name="send" size={13} />
            {t('inbox.composer.modeReply')}
          </button>
          <button type="button" className={`composer-mode composer-mode-note${mode === 'note' ? ' composer-mode-active' : ''}`} aria-pressed={mode === 'note'} onClick={() => switchMode('note')} data-testid="composer-mode-note">
            <Icon name="pencil" size={13} />
            {t('inbox.composer.modeNote')}
          </button>
        </div>
      )}
      {conflict && !note && (
        <div className="composer-conflict" role="alert" data-testid="composer-conflict">
          <Icon name="alert" size={16} />
          <span className="composer-conflict-text">
            <strong>{t('inbox.composer.conflictTitle')}</strong>
            <span>{conflict.message}</span>
          </span>
          <span className="composer-conflict-actions">
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setConflict(null)}>
              {t('inbox.composer.conflictCancel')}
            </button>
            <button type="button" className="btn btn-primary btn-sm" onClick={() => void sendReply(conflict.text, true)}>
              {t('inbox.composer.sendAnyway')}
            </button>
          </span>
        </div>
      )}
      {lockNotice && !note && !conflict && replyHasText && (
        <div className="composer-lock" role="status" data-testid="composer-lock">
          <Icon name="info" size={14} />
          <span>{t('inbox.composer.lockedBy', { message: lockNotice })}</span>
        </div>
      )}
      {mentionOpen && mentionAt && (
        <div className="composer-menu" role="listbox" aria-label={t('inbox.composer.mentions')} data-testid="mention-menu">
          {candidates.map((c, i) => (
            <button
              key={`${c.type}:${c.id}`}
              type="button"
              role="option"
              aria-selected={i === menuIndex % candidates.length}
              className={`composer-menu-item${i === menuIndex % candidates.length ? ' composer-menu-item-active' : ''}`}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => chooseMention(c)}
            >
              <Icon name={c.type === 'team' ? 'team' : 'user'} size={14} />
              <span className="composer-menu-name">{c.name}</span>
              {c.type === 'team' && <span className="composer-menu-sub">{t('inbox.composer.mentionTeam')}</span>}
            </button>
          ))}
        </div>
      )}
      {cannedOpen && (
        <div className="composer-menu composer-canned" role="listbox" aria-label={t('inbox.composer.canned')} data-testid="canned-picker">
          {cannedItems === null ? (
            <div className="composer-menu-empty">{t('inbox.composer.cannedLoading')}</div>
          ) : cannedItems.length === 0 ? (
            <div className="composer-menu-empty">{cannedQuery ? t('inbox.composer.cannedEmpty', { query: cannedQuery }) : t('inbox.composer.cannedNone')}</div>
          ) : (
            cannedItems.map((c, i) => (
              <button
                key={c.id}
                type="button"
                role="option"
                aria-selected={i === menuIndex % cannedItems.length}
                className={`composer-menu-item composer-canned-item${i === menuIndex % cannedItems.length ? ' composer-menu-item-active' : ''}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => insertCanned(c)}
              >
                <span className="composer-canned-head">
                  <span className="composer-canned-shortcut">/{c.shortcut}</span>
                  {c.title && <span className="composer-menu-name">{c.title}</span>}
                </span>
                <span className="composer-canned-body">{c.rendered ?? c.body}</span>
              </button>
            ))
          )}
          <div className="composer-menu-hint">{t('inbox.composer.cannedHint')}</div>
        </div>
      )}
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
        {(onSendMedia || onTemplates || onSendRich) && (
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
            {onSendRich && (
              <div className="composer-more" ref={moreRoot}>
                <button
                  ref={moreButton}
                  type="button"
                  className={`icon-button composer-tool${moreOpen ? ' composer-tool-open' : ''}`}
                  disabled={disabled || sending}
                  aria-haspopup="menu"
                  aria-expanded={moreOpen}
                  onClick={() => setMoreOpen((o) => !o)}
                  aria-label={t('inbox.composer.more')}
                  title={t('inbox.composer.more')}
                  data-testid="composer-more"
                >
                  <Icon name="plus" size={20} />
                </button>
                {moreOpen && (
                  <div className="menu composer-more-menu" role="menu" aria-label={t('inbox.composer.more')} onKeyDown={moreKeys}>
                    {RICH_KINDS.map((k) => (
                      <button
                        key={k.kind}
                        type="button"
                        role="menuitem"
                        className="menu-item composer-more-item"
                        onClick={() => {
                          setMoreOpen(false);
                          setRichKind(k.kind);
                        }}
                      >
                        <span className="composer-more-icon">
                          <Icon name={k.icon} size={16} />
                        </span>
                        <span className="menu-item-main">
                          <span className="menu-item-name">{t(`inbox.composer.moreKinds.${k.kind}`)}</span>
                          <span className="menu-item-sub">{t(`inbox.composer.moreHints.${k.kind}`)}</span>
                        </span>
                      </button>
                    ))}
                  </div>
                )}
              </div>
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
            note
              ? t('inbox.composer.notePlaceholder')
              : disabled
              ? t('inbox.composer.placeholderDisabled')
              : attachment
                ? captionAllowed
                  ? t('inbox.composer.captionPlaceholder')
                  : t('inbox.composer.noCaption')
                : t('inbox.composer.placeholder')
          }
          aria-label={note ? t('inbox.composer.noteLabel') : t('inbox.composer.label')}
          data-testid="composer-input"
          aria-describedby={hintId}
          maxLength={MAX_MESSAGE_LENGTH + 200}
          onChange={(e) => {
            const value = e.target.value;
            setText(value);
            setCaret(e.target.selectionStart ?? value.length);
            if (!note && value.trim()) onTyping?.(true);
          }}
          onSelect={(e) => setCaret((e.target as HTMLTextAreaElement).selectionStart ?? 0)}
          onPaste={(e) => {
            const file = e.clipboardData?.files?.[0];
            if (file && onSendMedia && !disabled) {
              e.preventDefault();
              attach(file);
            }
          }}
          onKeyDown={(e) => {
            if (menuLength > 0 || (cannedOpen && e.key === 'Escape') || (mentionOpen && e.key === 'Escape')) {
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                setMenuIndex((i) => (i + (e.key === 'ArrowDown' ? 1 : menuLength - 1)) % Math.max(1, menuLength));
                return;
              }
              if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
                if (menuLength > 0) {
                  e.preventDefault();
                  if (mentionOpen) chooseMention(candidates[menuIndex % candidates.length]);
                  else if (cannedItems && cannedItems.length) insertCanned(cannedItems[menuIndex % cannedItems.length]);
                  return;
                }
              }
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                setDismissed(mentionOpen ? `@${text}:${caret}` : text);
                return;
              }
            }
            if (e.key === 'Escape') {
              (e.target as HTMLTextAreaElement).blur();
              return;
            }
            if (isSendKey({ key: e.key, shiftKey: e.shiftKey, altKey: e.altKey, isComposing: e.nativeEvent.isComposing })) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button
          type="submit"
          className={`btn composer-send ${note ? 'btn-note' : 'btn-primary'}`}
          disabled={!ready}
          aria-label={note ? t('inbox.composer.saveNote') : t('inbox.composer.send')}
          title={note ? t('inbox.composer.saveNote') : t('inbox.composer.send')}
        >
          <Icon name={note ? 'check' : 'send'} size={17} />
        </button>
      </form>
      <div className="composer-foot" id={hintId}>
        <span>{disabled ? '' : note ? t('inbox.composer.noteHint') : t('inbox.composer.hint')}</span>
        {length > limit - (attachment ? 100 : 500) && (
          <span className={length > limit ? 'composer-count composer-count-over' : 'composer-count'}>
            {length} / {limit}
          </span>
        )}
      </div>
      {richKind && onSendRich && (
        <RichMessageForm
          kind={richKind}
          replyTo={replyTo}
          onSend={onSendRich}
          onClose={() => {
            setRichKind(null);
            requestAnimationFrame(() => area.current?.focus());
          }}
        />
      )}
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
