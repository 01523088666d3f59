import { runCli } from './cli';
import { processEnv } from './cli-env';
import { ExitCode } from './cli-error';

// Ctrl-C aborts what is in flight (a followed log, a wait) so the command can end cleanly; a second
// Ctrl-C means "now".
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(ExitCode.Interrupted);
  interrupt.abort();
});

// `yard logs … | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCode.Ok);
  throw err;
});

void runCli(process.argv.slice(2), processEnv(interrupt.signal)).then((code) => {
  process.exitCode = code;
});
