// Hosts as Linux network namespaces for multi-host tests (issue 12).
export * from './host-network';
export { ip, namespacePids } from './ip-command';
export { sweepLeftovers, tearDown, OWNER_DIR } from './leftover-sweep';
export * from './network-plan';
