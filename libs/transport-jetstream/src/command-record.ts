/**
 * A command body with NATS headers of its own, for `JetStreamClient.send` (like Nest's `NatsRecord`):
 * the headers travel beside the body, never in it. The API puts the principal it authenticated here
 * (`Ty-Principal`, issue 11), so no body field can claim it.
 *
 * @example
 * ```ts
 * client.send(Subjects.command('scheduler', 'stop'), new CommandRecord(body, { 'Ty-Principal': encodePrincipal(p) }));
 * ```
 */
export class CommandRecord<T = unknown> {
  constructor(
    readonly data: T,
    readonly headers: Readonly<Record<string, string>>,
  ) {}
}
