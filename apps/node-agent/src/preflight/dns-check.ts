import { lookup } from 'node:dns/promises';
import { abnormal, passed, type PrecheckItem } from './precheck-item';

/**
 * `dns`: every peer host of the job resolves (L7608-7610: the guide resolves the volcano job's
 * `.host` files; here the peers are the job's `hosts`, `VC_WORKER_HOSTS`). Always applies. An address
 * literal resolves to itself.
 */
export const dnsCheck: PrecheckItem = {
  keyword: 'dns',
  applies: () => true,
  async run(ctx) {
    const hosts = [...new Set(ctx.assignment.hosts)];
    const failures: string[] = [];
    await Promise.all(
      hosts.map((host) =>
        lookup(host).catch((err: NodeJS.ErrnoException) => {
          failures.push(`${host} (${err.code ?? err.message})`);
        }),
      ),
    );
    if (failures.length) return abnormal('dns', `${failures.length} of ${hosts.length} host(s) do not resolve: ${failures.sort().join(', ')}`);
    return passed('dns', `${hosts.length} host(s) resolve`);
  },
};
