import { ParamCheck } from '../system/query-params';

/** `?at=`: a stream sequence (`1234`) or an ISO-8601 instant; undefined when absent. */
export function momentParam(check: ParamCheck, name: string, raw: string | undefined): { seq: number } | { time: Date } | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^\d{1,16}$/.test(raw)) return { seq: Number(raw) };
  const time = check.instant(name, raw);
  return time && !Number.isNaN(time.getTime()) ? { time } : undefined;
}
