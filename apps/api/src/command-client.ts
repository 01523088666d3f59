import type { NatsConnection } from '@nats-io/transport-node';
import type { ClientProxy } from '@nestjs/microservices';
import { type CommandPrincipal, encodePrincipal, PRINCIPAL_HEADER, Subjects } from '@trainyard/contracts';
import { traceHeaders } from '@trainyard/telemetry';
import { CommandRecord, JetStreamClient } from '@trainyard/transport-jetstream';
import { lastValueFrom } from 'rxjs';

/**
 * Sends commands to the services (decision 3) through the transport's `ClientProxy`: a reply's
 * `{ data, seq }` comes back, an error reply or nobody answering is a `TrainyardError` with its
 * stable code, so the HTTP layer maps one error type.
 */
export class CommandClient {
  constructor(private readonly client: ClientProxy) {}

  /** `principal`: who the command acts for, in the `Ty-Principal` header (issue 11), never in the body. */
  send<T>(service: string, verb: string, body: unknown, principal?: CommandPrincipal): Promise<{ data: T; seq: number }> {
    const data = principal ? new CommandRecord(body, { [PRINCIPAL_HEADER]: encodePrincipal(principal) }) : body;
    return lastValueFrom(this.client.send<{ data: T; seq: number }>(Subjects.command(service, verb), data));
  }
}

/** The API's command client on this connection; the trace context travels in the NATS headers too (decision 11). */
export function commandClient(nc: NatsConnection): CommandClient {
  return new CommandClient(
    new JetStreamClient(nc, {
      // Every command the API sends carries a commandId, so a try unanswered after 3 s is sent again:
      // a leader cut off from the network would otherwise hold each request it is handed for the whole 10 s.
      attemptTimeoutMs: 3_000,
      headers: (body) => traceHeaders((body as { traceparent?: string } | null)?.traceparent),
    }),
  );
}
