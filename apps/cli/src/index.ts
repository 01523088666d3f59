// Public surface of the CLI for the all-in-one: `npm start` writes the first admin's context.
export { configPath, saveContext, type CliContext } from './cli-config';
