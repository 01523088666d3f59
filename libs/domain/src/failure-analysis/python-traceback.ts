import type { LogLine } from './analyse-failure';

/**
 * A peer of a distributed job went away: this rank's collective failed because of it (gloo, NCCL),
 * so its exception is a consequence, not the cause.
 */
export const PEER_LOST = /Connection (closed|reset) by peer|remote process exited|ProcessGroupGloo.*(closed|reset)|NCCL.*(unhandled system error|remote process)/i;

/** The launcher's own wrapper around a worker's failure (torchrun), not the worker's exception. */
const LAUNCHER_WRAPPER = /ChildFailedError/;

const HEADER = /Traceback \(most recent call last\):/;
/** The last line of a traceback: `ValueError: …`, `torch.OutOfMemoryError: …`, `KeyboardInterrupt`. */
const EXCEPTION_LINE = /^\s*([A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit|Warning))(:|$)/;

/** At most this many lines of one traceback are quoted (its end: the innermost frames and the exception). */
const MAX_TRACEBACK_LINES = 40;

export interface PythonException {
  /** The exception line, e.g. `RuntimeError: loss is NaN at step 20`. */
  exception: string;
  /** The traceback's lines, header to exception, at most 40 (the last ones). */
  lines: LogLine[];
}

/**
 * The training script's own exception in a task's last log lines: the first Python traceback whose
 * exception is neither a peer's consequence (`Connection closed by peer`) nor the launcher's wrapper
 * (torchrun's `ChildFailedError`). torchrun's summary quotes a worker's traceback (with `@record`)
 * indented under `traceback :`, so indentation is not required of the header. An exception line
 * without a traceback before it counts too. Undefined when there is none.
 *
 * @example
 * ```ts
 * pythonException([{ seq: 7, text: 'Traceback (most recent call last):' }, { seq: 8, text: '  File "train.py", line 3' }, { seq: 9, text: 'ValueError: bad lr' }])
 * // { exception: 'ValueError: bad lr', lines: [seq 7, 8, 9] }
 * ```
 */
export function pythonException(lines: readonly LogLine[]): PythonException | undefined {
  const own = (text: string) => !PEER_LOST.test(text) && !LAUNCHER_WRAPPER.test(text);
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.text;
    if (HEADER.test(text)) {
      const block = [lines[i]!];
      let j = i + 1;
      // Frames are indented; the block ends at the exception line (or at anything else unindented).
      for (; j < lines.length && /^\s/.test(lines[j]!.text) && !EXCEPTION_LINE.test(lines[j]!.text.replace(/^\s{1,4}(?=\S)/, '')); j++) block.push(lines[j]!);
      const end = lines[j];
      if (end && EXCEPTION_LINE.test(end.text.trim())) {
        block.push(end);
        if (own(end.text)) return { exception: end.text.trim(), lines: block.slice(-MAX_TRACEBACK_LINES) };
      }
      i = j;
      continue;
    }
    if (EXCEPTION_LINE.test(text) && /:\s/.test(text) && !/^\s/.test(text) && own(text)) return { exception: text.trim(), lines: [lines[i]!] };
  }
  return undefined;
}
