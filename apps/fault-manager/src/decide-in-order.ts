import type { Decider, Decision } from '@trainyard/domain';

/** An action of a batch the decider refused: settled on its own, the others still commit. */
export interface RefusedAction<A> {
  action: A;
  reason: string;
  message: string;
}

/**
 * Several commands against one aggregate decided as one: each on the state the ones before it left,
 * their events committed together. A single command's refusal is the batch's answer, as it always was;
 * in a batch of more, a refused command is put in `refused` and the rest go on (a stop of a task the
 * node no longer holds must not keep the node's other stops back). Pure, and called again after a
 * version conflict, so `refused` is refilled on every call.
 */
export function decideInOrder<A, C, E, S, R extends string>(
  decider: Pick<Decider<C, E, S, R>, 'decide' | 'evolve'>,
  actions: readonly A[],
  commandOf: (action: A) => C | undefined,
  state: S,
  refused: RefusedAction<A>[],
): Decision<E, R> {
  refused.length = 0;
  if (actions.length === 1) {
    const only = commandOf(actions[0]!);
    return only === undefined ? { ok: true, events: [] } : decider.decide(only, state);
  }
  const events: E[] = [];
  let s = state;
  for (const action of actions) {
    const command = commandOf(action);
    if (command === undefined) continue;
    const d = decider.decide(command, s);
    if (!d.ok) {
      refused.push({ action, reason: d.rejection.reason, message: d.rejection.message });
      continue;
    }
    events.push(...d.events);
    s = d.events.reduce(decider.evolve, s);
  }
  return { ok: true, events };
}
