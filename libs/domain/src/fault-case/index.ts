export * from './node-liveness';
export * from './node-fault-case';
export * from './hang-detector';
