// A WebSocket stand-in: tests stub the global with `installFakeWebSocket()` and drive each socket
// the code opens (`open`, `send frames`, `close`) by hand.
import { vi } from 'vitest';

export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readonly url: string;
  readyState = FakeWebSocket.CONNECTING;
  closedByClient: number | null = null;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;

  constructor(url: string | URL) {
    this.url = String(url);
    FakeWebSocket.instances.push(this);
  }

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  /** Frames the client sent. */
  sent: string[] = [];

  send(data: string) {
    this.sent.push(data);
  }

  close(code = 1000) {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.closedByClient = code;
    this.readyState = FakeWebSocket.CLOSED;
  }

  // --- driven by the test ---

  /** The server accepts and says hello. */
  accept(cursor = '0') {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.(new Event('open'));
    this.frame({ type: 'hello', cursor });
  }

  frame(data: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: typeof data === 'string' ? data : JSON.stringify(data) }));
  }

  event(cursor: string, conversationId: string, kind = 'message.created', messageId: string | null = 'm-x') {
    this.frame({ type: 'event', cursor, kind, conversation_id: conversationId, message_id: messageId });
  }

  /** The connection ends from the server's side (or fails before opening: error then close). */
  drop(code = 1006) {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    const failed = this.readyState === FakeWebSocket.CONNECTING;
    this.readyState = FakeWebSocket.CLOSED;
    if (failed) this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close', { code, wasClean: code === 1000 }));
  }

  static get last(): FakeWebSocket {
    const ws = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!ws) throw new Error('no WebSocket was opened');
    return ws;
  }

  /** Sockets the code has not closed itself. */
  static live(): FakeWebSocket[] {
    return FakeWebSocket.instances.filter((ws) => ws.readyState !== FakeWebSocket.CLOSED);
  }
}

export function installFakeWebSocket() {
  FakeWebSocket.instances = [];
  vi.stubGlobal('WebSocket', FakeWebSocket);
  return FakeWebSocket;
}

/** A JWT-shaped token (unsigned) expiring at `exp` seconds since the epoch. */
export function fakeJwt(exp: number, sub = 'u1'): string {
  const enc = (o: object) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ sub, exp })}.c2lnbmF0dXJl`;
}
