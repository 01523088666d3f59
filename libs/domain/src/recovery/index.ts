export * from './recovery-policy';
export * from './recovery-rule';
export * from './recovery-record';
export * from './decide-recovery';
export * from './classify-fault';
export * from './root-cause';
