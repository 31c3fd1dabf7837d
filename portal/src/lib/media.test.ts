import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import i18n from '../i18n';
import { checkFile, fileTypeLabel, formatBytes, mediaKindOf, takesCaption, uploadErrorMessage, urlExpired } from './media';

const t = i18n.getFixedT('en');
const MB = 1024 * 1024;

describe('media files', () => {
  it('knows which kind WhatsApp sends each type as', () => {
    expect(mediaKindOf('image/jpeg')).toBe('image');
    expect(mediaKindOf('image/png')).toBe('image');
    expect(mediaKindOf('image/webp')).toBe('sticker');
    expect(mediaKindOf('video/mp4')).toBe('video');
    expect(mediaKindOf('audio/ogg; codecs=opus')).toBe('audio');
    expect(mediaKindOf('application/pdf')).toBe('document');
    expect(mediaKindOf('image/gif')).toBeNull();
    expect(mediaKindOf('')).toBeNull();
    expect(takesCaption('audio')).toBe(false);
    expect(takesCaption('sticker')).toBe(false);
    expect(takesCaption('image')).toBe(true);
  });

  it('refuses what WhatsApp would refuse before uploading', () => {
    expect(checkFile({ type: 'image/png', size: 4 * MB })).toBeNull();
    expect(checkFile({ type: 'image/png', size: 6 * MB })).toEqual({ problem: 'size', kind: 'image', limit: 5 * MB });
    expect(checkFile({ type: 'image/webp', size: 600 * 1024 })).toMatchObject({ problem: 'size', kind: 'sticker' });
    expect(checkFile({ type: 'application/zip', size: 10 })).toEqual({ problem: 'type' });
    expect(checkFile({ type: 'application/pdf', size: 0 })).toEqual({ problem: 'empty' });
  });

  it('writes sizes and file types for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(48_213)).toBe('47 KB');
    expect(formatBytes(3.4 * MB)).toBe('3.4 MB');
    expect(formatBytes(100 * MB)).toBe('100 MB');
    expect(formatBytes(null)).toBe('');
    expect(fileTypeLabel('Invoice 42.pdf', 'application/pdf')).toBe('PDF');
    expect(fileTypeLabel(null, 'video/mp4')).toBe('MP4');
  });

  it('tells when a signed link has expired', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    const seconds = now / 1000;
    expect(urlExpired(`/api/v1/media/x/content?t=a&e=${seconds + 3600}&s=f`, now)).toBe(false);
    expect(urlExpired(`/api/v1/media/x/content?t=a&e=${seconds - 1}&s=f`, now)).toBe(true);
    expect(urlExpired(`/api/v1/media/x/content?expires=${seconds + 10}&sig=f`, now)).toBe(true); // within the margin
    expect(urlExpired('/api/v1/media/x/content', now)).toBe(false);
    expect(urlExpired(null, now)).toBe(true);
  });

  it("explains the server's 413 and 415 in the UI language", () => {
    const big = { type: 'video/mp4', size: 20 * MB };
    expect(uploadErrorMessage(t, new ApiError(413, 'media_too_large', 'WhatsApp carries video files of at most 16 MB.'), big)).toBe(
      'This file is too large: WhatsApp sends videos of at most 16 MB.',
    );
    expect(uploadErrorMessage(t, new ApiError(413, 'payload_too_large', 'Too large'))).toBe('This file is larger than WhatsApp allows.');
    expect(uploadErrorMessage(t, new ApiError(415, 'media_type_unsupported', 'WhatsApp cannot send image/gif files.'), { type: 'image/gif', size: 1 })).toContain(
      "WhatsApp can't send this type of file.",
    );
    expect(uploadErrorMessage(t, new ApiError(0, 'network_error', 'offline'))).toBe("We couldn't reach Chorus. Check your connection and try again.");
    expect(uploadErrorMessage(t, new Error('boom'))).toBe('The file could not be uploaded. Please try again.');
  });
});
