/**
 * An Open MPI hostfile: `<host> slots=<n>` per line, hosts in task order (L714-719). Tasks that share a
 * host (several instances on one node) become one line with their slots added: Open MPI refuses a
 * host listed twice with `slots=` ("multiple definitions of the slot count").
 *
 * @example
 * mpiHostfile(['10.0.0.5', '10.0.0.6', '10.0.0.5'], 2) // "10.0.0.5 slots=4\n10.0.0.6 slots=2\n"
 */
export function mpiHostfile(hosts: readonly string[], slots: number): string {
  const merged = new Map<string, number>();
  for (const host of hosts) merged.set(host, (merged.get(host) ?? 0) + slots);
  return [...merged].map(([host, n]) => `${host} slots=${n}\n`).join('');
}

/**
 * The environment `run_mpi.sh` hands to every rank (L672-675): names matching
 * `^MA_|SHARED_|^S3_|^PATH|^VC_WORKER_|^SCC|^CRED` with a non-empty value, one `-x NAME` line each
 * for mpirun's `-tune` file. `-x NAME` (not `NAME=value`) forwards the value as mpirun sees it, so no
 * value needs quoting in the file.
 */
export function mpiTuneFile(env: Readonly<Record<string, string>>): string {
  const forwarded = /^MA_|SHARED_|^S3_|^PATH|^VC_WORKER_|^SCC|^CRED/;
  return Object.keys(env)
    .filter((name) => forwarded.test(name) && env[name] !== '')
    .sort()
    .map((name) => `-x ${name}\n`)
    .join('');
}
