import { inspect } from 'node:util';

/**
 * A credential held in memory (issue 14): its value is read only through `reveal()`, and every other
 * way of turning it into text — a log line (pino serialises with JSON), `util.inspect`, string
 * interpolation — yields `[redacted]`. So a store config logged by mistake leaks nothing.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
