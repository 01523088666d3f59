/** Structured logging, pino-shaped (decision 11); a type of its own so every part of the agent can take one. */
export interface AgentLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
