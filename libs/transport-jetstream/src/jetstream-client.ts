import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { CommandRecord } from './command-record';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { type CommandReply, ErrorCode, TrainyardError } from '@trainyard/contracts';

export interface JetStreamClientOptions {
  /** Overall time a command may take, retries included. Default 10 s. */
  timeoutMs?: number;
  /**
   * How long "no responders" is retried: a leader hand-over (or a lease re-acquired after a stall)
   * leaves the queue group empty for a moment, and commands are idempotent by `commandId`. Default 3 s.
   */
  noRespondersRetryMs?: number;
  /**
   * How long one try waits for its reply before the request is sent again, within `timeoutMs`.
   * A replica cut off from the network stays in the queue group until the server notices (its pings,
   * minutes by default), and a request the server hands it is never answered; sent again, the request
   * most likely reaches the live one. Only for idempotent requests (commands carry a `commandId`).
   * Default `timeoutMs`: one try.
   */
  attemptTimeoutMs?: number;
  /** NATS headers for a command body (the trace context, decision 11). */
  headers?: (body: unknown) => MsgHdrs | undefined;
}

/**
 * The `ClientProxy` of {@link JetStreamServer}: `send('ty.cmd.<service>.<verb>', body)` is a NATS
 * request whose reply envelope becomes the observable's value (`{ data, seq }`) or its error (a
 * `TrainyardError` with the stable code). Nobody answering is `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const { data, seq } = await lastValueFrom(client.send(Subjects.command('scheduler', 'stop'), body));
 * ```
 */
export class JetStreamClient extends ClientProxy {
  private readonly timeoutMs: number;
  private readonly noRespondersRetryMs: number;
  private readonly attemptTimeoutMs: number;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamClientOptions = {},
  ) {
    super();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.noRespondersRetryMs = options.noRespondersRetryMs ?? 3_000;
    this.attemptTimeoutMs = Math.min(options.attemptTimeoutMs ?? this.timeoutMs, this.timeoutMs);
  }

  connect(): Promise<NatsConnection> {
    return Promise.resolve(this.nc);
  }

  /** The connection belongs to whoever gave it. */
  close(): void {}

  unwrap<T>(): T {
    return this.nc as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let cancelled = false;
    this.request(String(packet.pattern), packet.data).then(
      (response) => cancelled || callback({ response, isDisposed: true }),
      (err) => cancelled || callback({ err, isDisposed: true }),
    );
    return () => {
      cancelled = true;
    };
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    this.nc.publish(String(packet.pattern), JSON.stringify(packet.data));
    return undefined as T;
  }

  private async request(subject: string, sent: unknown): Promise<{ data: unknown; seq: number }> {
    const [, service = '?', verb = '?'] = subject.split('.').slice(-3);
    // A CommandRecord brings headers of its own, beside the body.
    const body = sent instanceof CommandRecord ? sent.data : sent;
    let headers = this.options.headers?.(body);
    if (sent instanceof CommandRecord) {
      headers ??= natsHeaders();
      for (const [k, v] of Object.entries(sent.headers)) headers.set(k, v);
    }
    const payload = JSON.stringify(body);
    const end = Date.now() + this.timeoutMs;
    const retryUntil = Date.now() + Math.min(this.noRespondersRetryMs, this.timeoutMs);
    for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
      try {
        const timeout = Math.max(1, Math.min(this.attemptTimeoutMs, end - Date.now()));
        const raw = await this.nc.request(subject, payload, { timeout, ...(headers ? { headers } : {}) });
        const reply = raw.json<CommandReply>();
        if (!reply.ok) throw TrainyardError.fromBody(reply.error);
        return { data: reply.data, seq: reply.seq };
      } catch (err) {
        if (err instanceof TrainyardError) throw err;
        const noResponders = (err as { isNoResponders?: () => boolean }).isNoResponders?.() === true;
        if (noResponders && Date.now() + wait < retryUntil) {
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
        // Unanswered within its try, with time left: ask again at once (see attemptTimeoutMs).
        if (isTimeout(err) && end - Date.now() > 1) continue;
        // "503 no responders" and timeouts both mean: nobody is serving that verb right now.
        throw new TrainyardError(ErrorCode.Unavailable, `the ${service} did not answer ${verb} (is it running?)`, undefined, { cause: err });
      }
    }
  }
}

/** nats.js's request timeout (`TimeoutError`, or the older `code: 'TIMEOUT'`). */
function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string };
  return e?.name === 'TimeoutError' || e?.code === 'TIMEOUT';
}
