// Unit tests (Vitest) of the .eml reader the browser test relies on.
// @vitest-environment node
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeQuotedPrintable, findLinks, onBase, parseMail, waitForLink } from './mail';

const qpMail = [
  'From: Chorus <no-reply@chorus.local>',
  'To: "Olivia Owner" <olivia@example.com>',
  'Subject: =?utf-8?Q?Verifica_tu_correo?=',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="BOUND"',
  '',
  '--BOUND',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Hola Olivia, confirma aqu=C3=AD: https://chorus.example.com/verify-email?tok=',
  'en=3Dabc123def',
  '--BOUND',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('<a href="https://chorus.example.com/verify-email?token=abc123def&amp;x=1">Verify</a>').toString('base64'),
  '--BOUND--',
  '',
].join('\r\n');

describe('mail reader', () => {
  it('decodes quoted-printable with soft breaks and UTF-8', () => {
    expect(decodeQuotedPrintable('aqu=C3=AD =3D long=\r\nline')).toBe('aquí = longline');
  });

  it('parses multipart mails with quoted-printable and base64 parts', () => {
    const mail = parseMail('x.eml', qpMail);
    expect(mail.headers.to).toContain('olivia@example.com');
    expect(mail.headers.subject).toBe('Verifica tu correo');
    expect(mail.text).toContain('aquí');
    expect(findLinks(mail, '/verify-email?token=')).toEqual([
      'https://chorus.example.com/verify-email?token=abc123def',
      'https://chorus.example.com/verify-email?token=abc123def&x=1',
    ]);
  });

  it('re-aims a mailed link at the server under test', () => {
    expect(onBase('https://chorus.example.com/accept-invitation?token=t1', 'http://127.0.0.1:18080')).toBe(
      'http://127.0.0.1:18080/accept-invitation?token=t1',
    );
    expect(onBase('/verify-email?token=t2', 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/verify-email?token=t2');
  });

  it('waits for the mail addressed to the right person', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-mail-'));
    fs.writeFileSync(path.join(dir, 'other.eml'), qpMail.replace('olivia@example.com', 'someone@example.com'));
    setTimeout(() => fs.writeFileSync(path.join(dir, 'olivia.eml'), qpMail.replace('abc123def', 'zzz999')), 300);
    const link = await waitForLink({ dir, to: 'olivia@example.com', pathFragment: '/verify-email?token=', timeoutMs: 5000 });
    expect(link).toBe('https://chorus.example.com/verify-email?token=zzz999');
    await expect(
      waitForLink({ dir, to: 'nobody@example.com', pathFragment: '/verify-email?token=', timeoutMs: 300 }),
    ).rejects.toThrow(/No mail to nobody@example.com/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
