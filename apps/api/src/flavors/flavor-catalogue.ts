import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, TrainyardError, type CatalogueFlavor } from '@trainyard/contracts';
import { storeReplicas } from '@trainyard/event-log';

/** The NATS KV bucket of the flavor catalogue: key `<pool>.<flavor id>`, value the flavor as JSON. */
export const FLAVOR_BUCKET = 'TY_FLAVORS';
export const FLAVOR_CATALOGUE = Symbol('FLAVOR_CATALOGUE');

/**
 * The operators' named flavors per pool (issue 18). Catalogue entries are configuration, not job state:
 * a job keeps the flavor it was resolved to at submit (its spec carries both the id and the flavor),
 * so changing or removing an entry never changes a job. They live in a KV bucket (history 5, so a
 * mistaken change can be read back) rather than in the event log; the bucket is created on first use.
 */
export class FlavorCatalogue {
  private kv?: Promise<KV>;

  constructor(private readonly nc: NatsConnection) {}

  private bucket(): Promise<KV> {
    this.kv ??= (async () => new Kvm(this.nc).create(FLAVOR_BUCKET, { history: 5, replicas: storeReplicas(this.nc, FLAVOR_BUCKET) }))().catch((err) => {
      this.kv = undefined;
      throw new TrainyardError(ErrorCode.Unavailable, `the flavor catalogue (KV ${FLAVOR_BUCKET}) is unavailable: ${(err as Error).message}`, undefined, { cause: err });
    });
    return this.kv;
  }

  /** Every flavor, or one pool's, ordered by pool then id. */
  async list(pool?: string): Promise<CatalogueFlavor[]> {
    const kv = await this.bucket();
    const keys: string[] = [];
    for await (const k of await kv.keys(pool ? `${pool}.>` : '>')) keys.push(k);
    const flavors = await Promise.all(keys.map((k) => this.read(kv, k)));
    return flavors.filter((f): f is CatalogueFlavor => f !== undefined).sort((a, b) => a.pool.localeCompare(b.pool) || a.id.localeCompare(b.id));
  }

  async get(pool: string, id: string): Promise<CatalogueFlavor | undefined> {
    return this.read(await this.bucket(), `${pool}.${id}`);
  }

  async put(flavor: CatalogueFlavor): Promise<CatalogueFlavor> {
    await (await this.bucket()).put(`${flavor.pool}.${flavor.id}`, JSON.stringify(flavor));
    return flavor;
  }

  /** False when the pool has no such flavor. */
  async remove(pool: string, id: string): Promise<boolean> {
    const kv = await this.bucket();
    if (!(await this.read(kv, `${pool}.${id}`))) return false;
    await kv.delete(`${pool}.${id}`);
    return true;
  }

  private async read(kv: KV, key: string): Promise<CatalogueFlavor | undefined> {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    return entry.json<CatalogueFlavor>();
  }
}
