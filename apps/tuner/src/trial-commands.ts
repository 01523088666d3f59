import type { NatsConnection } from '@nats-io/transport-node';
import { type Caller, encodePrincipal, ErrorCode, PRINCIPAL_HEADER, Subjects, type TrainingJobSpec, TrainyardError } from '@trainyard/contracts';
import { CommandRecord, JetStreamClient } from '@trainyard/transport-jetstream';
import { lastValueFrom } from 'rxjs';

/**
 * The tuner's two scheduler commands (the normal job path): submit a trial's job and stop one. They
 * act for the search's creator, whose permissions in the project at creation the search recorded;
 * the command ids derive from the search and trial, so a tuner that sends one again after a restart
 * changes nothing.
 */
export class TrialCommands {
  private readonly client: JetStreamClient;

  constructor(nc: NatsConnection) {
    this.client = new JetStreamClient(nc);
  }

  submit(searchId: string, trial: number, jobId: string, spec: TrainingJobSpec, caller: Caller): Promise<unknown> {
    return this.send('submit', caller, { commandId: `search/${searchId}/trial/${trial}/submit`, jobId, spec, caller });
  }

  stop(searchId: string, trial: number, jobId: string, caller: Caller, why: 'prune' | 'stop'): Promise<unknown> {
    return this.send('stop', caller, { commandId: `search/${searchId}/trial/${trial}/${why}`, jobId, caller });
  }

  private send(verb: 'submit' | 'stop', caller: Caller, body: Record<string, unknown>): Promise<unknown> {
    const record = new CommandRecord(body, { [PRINCIPAL_HEADER]: encodePrincipal({ id: caller.id, permissions: caller.permissions }) });
    return lastValueFrom(this.client.send(Subjects.command('scheduler', verb), record));
  }
}

/** A refusal that sending again cannot change (the spec, a permission): the trial fails instead. */
export const finalRefusal = (err: unknown): err is TrainyardError =>
  err instanceof TrainyardError && ([ErrorCode.ValidationFailed, ErrorCode.Forbidden, ErrorCode.NotFound] as string[]).includes(err.code);
