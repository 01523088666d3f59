/** One dispatched server-sent event. `event` defaults to `message`, as in the browser's EventSource. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Incremental `text/event-stream` parser (WHATWG HTML §9.2.6). Network chunks split anywhere: inside a
 * UTF-8 sequence, inside a line, between the `\r` and `\n` of a CRLF. So bytes go through a streaming
 * decoder and only complete lines are interpreted; the tail waits for the next chunk.
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  /** The previous chunk ended in `\r`: a `\n` opening the next chunk belongs to that line break. */
  private pendingCr = false;
  private started = false;
  private eventType = '';
  private data: string[] = [];
  private lastId: string | undefined;

  /** Feeds one chunk and returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length === 0) return [];
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    return this.drainLines();
  }

  /**
   * The stream closed. Per the spec an event not yet terminated by a blank line is discarded: a half-sent
   * event must not be acted on, which is what makes resuming from the last complete event safe.
   */
  end(): SseEvent[] {
    this.buffer += this.decoder.decode();
    this.buffer = '';
    this.data = [];
    this.eventType = '';
    return [];
  }

  private drainLines(): SseEvent[] {
    const events: SseEvent[] = [];
    const breakAt = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = breakAt.exec(this.buffer); m; m = breakAt.exec(this.buffer)) {
      // A lone `\r` at the very end may be the first half of a CRLF split across chunks.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) this.pendingCr = true;
      const event = this.line(this.buffer.slice(start, m.index));
      if (event) events.push(event);
      start = m.index + m[0].length;
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined; // comment, e.g. a keep-alive ping
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default: // `retry` and unknown fields: each client has its own reconnect policy
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const hadData = this.data.length > 0;
    const event: SseEvent = { event: this.eventType || 'message', data: this.data.join('\n') };
    if (this.lastId !== undefined) event.id = this.lastId;
    this.eventType = '';
    this.data = [];
    return hadData ? event : undefined;
  }
}
