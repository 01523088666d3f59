import { auditOf, Subjects, type CommandReply, type NodeEvent } from '@trainyard/contracts';
import { commandPrincipal, type CommandContext } from '@trainyard/transport-jetstream';
import { nodeDecider, rejectionBody } from '@trainyard/domain';
import { handleCommand, type EventLog } from '@trainyard/event-log';
import type { ReplicaControl } from '@trainyard/replica';
import type { FaultManager } from './fault-manager';
import { toNodeCommand } from './operator-commands';

/**
 * Operators' node commands (`ty.cmd.fault-manager.<cordon|drain|uncordon>`), decided by the node
 * decider on the node's history. The lease gate in front (the transport) lets only the leader get
 * here; a refusal is the decider's value, answered as an error envelope.
 */
export class FaultManagerCommands {
  constructor(
    private readonly log: EventLog,
    private readonly faults: FaultManager,
    private readonly replica: ReplicaControl,
    /** The bus is locked: a command must carry the API's principal header (commandPrincipal). */
    private readonly requirePrincipal = false,
  ) {}

  async handle(verb: string, raw: unknown, ctx?: Pick<CommandContext, 'header'>): Promise<CommandReply<{ nodeId: string; availability: string }>> {
    // Who it acts for: the header the API set (issue 11), over whatever the body claims.
    const principal = commandPrincipal(ctx, this.requirePrincipal);
    const input = principal && raw && typeof raw === 'object' ? { ...raw, caller: { id: principal.id, permissions: principal.permissions } } : raw;
    const { body, command } = toNodeCommand(verb, input, this.faults.clock().toISOString(), this.faults.options.drainGraceMs);
    const result = await handleCommand<ReturnType<typeof nodeDecider.initialState>, NodeEvent>({
      log: this.log,
      subject: Subjects.node(body.nodeId),
      initialState: nodeDecider.initialState(),
      evolve: nodeDecider.evolve,
      decide: (s) => nodeDecider.decide(command, s),
      meta: { commandId: body.commandId, correlationId: body.commandId, actor: body.caller.id, ...(principal && auditOf(principal) ? { audit: auditOf(principal) } : {}) },
    });
    if (!result.ok) return { ok: false, error: rejectionBody(result.rejection) };
    // A drain has stops to request: the next pass does it.
    this.replica.kick();
    const s = result.state;
    return { ok: true, data: { nodeId: body.nodeId, availability: s.status === 'registered' ? (s.availability ?? 'in-service') : 'unregistered' }, seq: result.seq };
  }
}
