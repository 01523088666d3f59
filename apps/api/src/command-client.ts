import { ErrorCode, Subjects, TrainyardError, type CommandReply } from '@trainyard/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import { traceHeaders } from '@trainyard/telemetry';

/**
 * Sends commands to the scheduler over NATS request/reply (decision 3) and turns error replies back
 * into `TrainyardError`, so the HTTP layer maps one error type.
 */
export class CommandClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 10_000,
  ) {}

  async send<T>(service: string, verb: string, body: unknown): Promise<{ data: T; seq: number }> {
    let raw;
    try {
      // The trace context travels in the NATS headers too (decision 11), for tools that never decode bodies.
      const headers = traceHeaders((body as { traceparent?: string })?.traceparent);
      raw = await this.nc.request(Subjects.command(service, verb), JSON.stringify(body), { timeout: this.timeoutMs, ...(headers ? { headers } : {}) });
    } catch (err) {
      // "503 no responders" and timeouts both mean: nobody is serving that verb right now.
      throw new TrainyardError(ErrorCode.Unavailable, `the ${service} did not answer ${verb} (is it running?)`, undefined, { cause: err });
    }
    const reply = raw.json<CommandReply<T>>();
    if (!reply.ok) throw TrainyardError.fromBody(reply.error);
    return { data: reply.data, seq: reply.seq };
  }
}
