export const NATS = Symbol('NatsConnection');
