import { ErrorCode, FieldCode, FLAVOR_ID, SUBJECT_TOKEN, TrainyardError, type CatalogueFlavor, type Flavor } from '@trainyard/contracts';
import type { FlavorCatalogue } from './flavor-catalogue';

/**
 * The catalogue entry a spec names: `flavorId` in `pool`, or, without a pool, the one pool that has
 * that id (`default` first when several do). Unknown ids are a field error at `path`.
 */
export async function findFlavor(catalogue: FlavorCatalogue, flavorId: string, pool: string | undefined, path: string): Promise<CatalogueFlavor> {
  if (!FLAVOR_ID.test(flavorId)) throw notFound(path, 'a flavor id is dot-separated letters, digits, - and _, e.g. cpu.2u4g');
  if (pool !== undefined) {
    // A pool name that is no subject token has no catalogue (its keys are `<pool>.<id>`).
    if (!SUBJECT_TOKEN.test(pool)) throw notFound(path, `pool ${pool} has no flavor ${flavorId}`);
    const found = await catalogue.get(pool, flavorId);
    if (found) return found;
    throw notFound(path, `pool ${pool} has no flavor ${flavorId} (GET /v1/flavors?pool=${pool} lists them)`);
  }
  const matches = (await catalogue.list()).filter((f) => f.id === flavorId);
  if (matches.length === 1) return matches[0];
  const preferred = matches.find((f) => f.pool === 'default');
  if (preferred) return preferred;
  if (matches.length === 0) throw notFound(path, `no pool has a flavor ${flavorId} (GET /v1/flavors lists them)`);
  throw new TrainyardError(ErrorCode.ValidationFailed, `flavor ${flavorId} exists in pools ${matches.map((m) => m.pool).join(', ')}: name the pool`, [
    { path, code: FieldCode.Conflict, message: `flavor ${flavorId} exists in several pools; give the pool` },
  ]);
}

const notFound = (path: string, message: string) => new TrainyardError(ErrorCode.ValidationFailed, message, [{ path, code: FieldCode.InvalidFormat, message }]);

const sameFlavor = (a: Flavor, b: Flavor) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * A native body with `spec.resource.flavorId`: the catalogue's flavor put in `spec.resource.flavor`
 * (what the scheduler places), the id kept. An inline flavor beside the id must equal the entry's.
 * Bodies without an id (an inline flavor, the native API's own way) pass unchanged.
 */
export async function resolveNativeFlavor(catalogue: FlavorCatalogue, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const spec = body.spec as { resource?: Record<string, unknown> } | undefined;
  const resource = spec?.resource;
  if (!resource || typeof resource !== 'object' || typeof resource.flavorId !== 'string') return body;
  const pool = typeof resource.pool === 'string' ? resource.pool : undefined;
  const entry = await findFlavor(catalogue, resource.flavorId, pool, 'spec.resource.flavorId');
  if (resource.flavor !== undefined && !(typeof resource.flavor === 'object' && resource.flavor !== null && sameFlavor(resource.flavor as Flavor, entry.flavor))) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'give spec.resource.flavor or spec.resource.flavorId, not two different flavors', [
      { path: 'spec.resource.flavor', code: FieldCode.Conflict, message: `flavorId ${entry.id} is ${JSON.stringify(entry.flavor)}; omit flavor or give the same` },
    ]);
  }
  return { ...body, spec: { ...spec, resource: { ...resource, pool: entry.pool, flavor: entry.flavor } } };
}
