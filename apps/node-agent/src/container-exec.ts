import type Docker from 'dockerode';
import { EXEC_LIMITS, type ExecResult } from '@trainyard/contracts';
import { dockerFrames } from './output-pump';
import { Bounded } from './task-exec';

/**
 * `yard exec` into a container task (issue 15): the engine's exec, so the command runs inside the
 * task's container as its configured user, in its working directory, with its environment. No TTY,
 * stdout and stderr apart (the engine's multiplexed stream). At the time-out the exec's process is
 * killed by its host pid (the engine has no call to end an exec), and the answer says so.
 */
export async function execInContainer(container: Docker.Container, command: string[], timeoutMs: number, maxBytes: number = EXEC_LIMITS.maxOutputBytes): Promise<ExecResult> {
  let exec: Docker.Exec;
  try {
    exec = await container.exec({ Cmd: command, AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false });
  } catch (err) {
    return { exitCode: 127, signal: null, stdout: '', stderr: `${(err as Error).message}\n`, truncated: false, timedOut: false };
  }
  const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const out = { stdout: new Bounded(maxBytes), stderr: new Bounded(maxBytes) };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void exec.inspect().then((i) => {
      if (i.Running && i.Pid) process.kill(i.Pid, 'SIGKILL');
    }).catch(() => undefined).finally(() => stream.destroy());
  }, timeoutMs);
  try {
    for await (const f of dockerFrames(stream as AsyncIterable<Buffer>)) out[f.stream].add(Buffer.from(f.bytes));
  } catch {
    // Destroyed at the time-out: what came before it is the answer.
  } finally {
    clearTimeout(timer);
  }
  const info = await exec.inspect().catch(() => undefined);
  const exitCode = timedOut ? null : (info?.ExitCode ?? null);
  return { exitCode, signal: timedOut ? 'SIGKILL' : null, stdout: out.stdout.text(), stderr: out.stderr.text(), truncated: out.stdout.cut || out.stderr.cut, timedOut };
}
