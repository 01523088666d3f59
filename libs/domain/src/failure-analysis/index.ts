export * from './failure-rules';
export * from './analyse-failure';
