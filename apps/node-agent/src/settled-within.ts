/**
 * Waits for `work` to settle, for at most `ms` (no bound when undefined): `'settled'` when it did,
 * `'pending'` when the time ran out first — the work goes on, nobody waits for it any longer.
 *
 * @example
 * await settledWithin(outputs.finish(), 10_000) // 'pending' after 10 s of a slow upload
 */
export async function settledWithin(work: Promise<unknown> | undefined, ms: number | undefined): Promise<'settled' | 'pending'> {
  if (work === undefined) return 'settled';
  if (ms === undefined) {
    await work.catch(() => undefined);
    return 'settled';
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([work.then(() => 'settled' as const, () => 'settled' as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
