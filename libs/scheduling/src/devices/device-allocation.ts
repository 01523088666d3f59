import type { DeviceInventory, Flavor } from '@trainyard/contracts';

/** Which of a node's card kinds a flavor asks for: GPUs first, NPUs otherwise, none for a CPU flavor. */
export function deviceKindOf(flavor: Pick<Flavor, 'gpu' | 'npu'>): { kind: keyof DeviceInventory; count: number } | undefined {
  if ((flavor.gpu ?? 0) > 0) return { kind: 'gpu', count: flavor.gpu! };
  if ((flavor.npu ?? 0) > 0) return { kind: 'npu', count: flavor.npu! };
  return undefined;
}

/**
 * The cards of one node, handed out one task at a time (issue 14). Starts from the node's inventory
 * and the cards its live tasks hold; `take` gives the lowest free ids in inventory order (the order
 * `nvidia-smi` / `npu-smi` list them) and marks them held, so two tasks of one pass never share a
 * card. Pure and deterministic: the same state always yields the same ids, which keeps a re-issued
 * assignment (a deterministic command id) equal to the first.
 *
 * @example
 * const cards = new DeviceLedger({ gpu: ['0', '1', '2', '3'] });
 * cards.hold('gpu', ['1']);  // a live task's card
 * cards.take('gpu', 2) // ['0', '2']
 * cards.take('gpu', 2) // undefined: only '3' is left
 */
export class DeviceLedger {
  private readonly held = new Set<string>();

  constructor(private readonly inventory: DeviceInventory) {}

  /** Marks cards a live task holds (ids the node no longer lists are ignored). */
  hold(kind: keyof DeviceInventory, ids: readonly string[]): void {
    for (const id of ids) this.held.add(this.key(kind, id));
  }

  /** `count` free cards of `kind`, now held; `undefined` (and nothing held) when fewer are free. */
  take(kind: keyof DeviceInventory, count: number): string[] | undefined {
    if (count <= 0) return [];
    const free = (this.inventory[kind] ?? []).filter((id) => !this.held.has(this.key(kind, id)));
    if (free.length < count) return undefined;
    const taken = free.slice(0, count);
    for (const id of taken) this.held.add(this.key(kind, id));
    return taken;
  }

  /** Whether this node declared card ids of `kind` at all (an agent before issue 14 declares none). */
  declares(kind: keyof DeviceInventory): boolean {
    return (this.inventory[kind]?.length ?? 0) > 0;
  }

  /** GPU and NPU ids may coincide (`0`): held cards are keyed by kind. */
  private key(kind: keyof DeviceInventory, id: string): string {
    return `${kind}:${id}`;
  }
}
