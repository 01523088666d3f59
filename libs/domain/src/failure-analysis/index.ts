export * from './failure-rules';
export * from './analyse-failure';
export * from './python-traceback';
