import { ErrorCode, FieldCode, TrainyardError, type FieldError } from '@trainyard/contracts';

/**
 * Small validators for path and query parameters: every bad value is reported with its field path
 * and a stable code, all at once.
 */
export class ParamCheck {
  private readonly errors: FieldError[] = [];

  int(path: string, raw: unknown, { min, max, fallback }: { min: number; max: number; fallback?: number }): number {
    if (raw === undefined || raw === '') {
      if (fallback !== undefined) return fallback;
      this.errors.push({ path, code: FieldCode.Required, message: `${path} is required` });
      return NaN;
    }
    const n = Number(raw);
    if (!Number.isInteger(n)) this.errors.push({ path, code: FieldCode.InvalidType, message: `${path} must be an integer` });
    else if (n < min || n > max) this.errors.push({ path, code: FieldCode.OutOfRange, message: `${path} must be between ${min} and ${max}` });
    return n;
  }

  oneOf<T extends string>(path: string, raw: unknown, allowed: readonly T[]): T | undefined {
    if (raw === undefined || raw === '') return undefined;
    if (!allowed.includes(raw as T)) {
      this.errors.push({ path, code: FieldCode.InvalidFormat, message: `${path} must be one of ${allowed.join(', ')}` });
      return undefined;
    }
    return raw as T;
  }

  matches(path: string, raw: string, pattern: RegExp, what: string): string {
    if (!pattern.test(raw)) this.errors.push({ path, code: FieldCode.InvalidFormat, message: `${path} must be ${what}` });
    return raw;
  }

  /** Optional free text, trimmed (blank is absent); TOO_LONG past `maxChars` characters, never cut. */
  text(path: string, raw: unknown, { maxChars }: { maxChars: number }): string | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string') {
      this.errors.push({ path, code: FieldCode.InvalidType, message: `${path} must be a string` });
      return undefined;
    }
    const text = raw.trim();
    if ([...text].length > maxChars) {
      this.errors.push({ path, code: FieldCode.TooLong, message: `${path} is at most ${maxChars} characters` });
      return undefined;
    }
    return text || undefined;
  }

  bool(path: string, raw: unknown): boolean {
    if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
    if (raw === 'true' || raw === '1') return true;
    this.errors.push({ path, code: FieldCode.InvalidType, message: `${path} must be true or false` });
    return false;
  }

  /** An ISO-8601 instant, or undefined when absent. */
  instant(path: string, raw: string | undefined): Date | undefined {
    if (raw === undefined || raw === '') return undefined;
    const t = Date.parse(raw);
    if (Number.isNaN(t)) this.errors.push({ path, code: FieldCode.InvalidFormat, message: `${path} must be an ISO-8601 instant` });
    return new Date(t);
  }

  /** Records a problem a caller found itself. */
  fail(path: string, code: FieldError['code'], message: string): void {
    this.errors.push({ path, code, message });
  }

  /** Throws one VALIDATION_FAILED error listing every problem found so far. */
  done(): void {
    if (this.errors.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid request parameters', this.errors);
  }
}
