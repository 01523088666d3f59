// @trainyard/testing/db: hand-built commits, and the same suite over PostgreSQL and PGlite (vitest hooks).
export * from './commit-builder';
export * from './db-backends';
