import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The optuna bridge (issue 15): `/usr/bin/python3 apps/tuner/optimiser/optimiser.py`, one child per
 * search, spoken to one JSON line at a time (init, tell, ask; the script's docstring has the protocol).
 * Requests wait their turn; an answer that does not come within the time limit, or the child's
 * death, fails every waiting request and marks the process dead (the tuner makes a new one and tells
 * it the search's trials again).
 */
export class OptimiserProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private stderr = '';
  private deadReason?: string;

  constructor(private readonly options: { python?: string; script?: string; timeoutMs?: number } = {}) {
    const script = options.script ?? optimiserScript();
    this.child = spawn(options.python ?? '/usr/bin/python3', ['-u', script], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONWARNINGS: 'ignore' } });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.answer(line));
    // The last few KiB of stderr, for the error that names why it died.
    this.child.stderr.on('data', (b: Buffer) => (this.stderr = (this.stderr + b.toString()).slice(-4096)));
    this.child.on('error', (err) => this.die(`cannot run ${options.python ?? '/usr/bin/python3'}: ${err.message}`));
    this.child.on('exit', (code, signal) => this.die(`the optimiser exited (${signal ?? code})${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    this.child.stdin.on('error', () => undefined);
  }

  get dead(): string | undefined {
    return this.deadReason;
  }

  /** One request; resolves with the answer's fields, rejects with its error. */
  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.deadReason) throw new Error(this.deadReason);
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => this.die(`no answer to ${String(body.op)} within ${this.options.timeoutMs ?? 30_000} ms`), this.options.timeoutMs ?? 30_000);
      this.waiting.push({ resolve, reject, timer });
      this.child.stdin.write(`${JSON.stringify(body)}\n`);
    });
    if (answer.ok !== true) throw new Error(`optimiser: ${String(answer.error ?? 'no reason given')}`);
    return answer;
  }

  close(): void {
    this.die('closed');
    this.child.kill('SIGKILL');
  }

  private answer(line: string): void {
    const w = this.waiting.shift();
    if (!w) return;
    clearTimeout(w.timer);
    try {
      w.resolve(JSON.parse(line) as Record<string, unknown>);
    } catch {
      w.reject(new Error(`optimiser: not a JSON answer: ${line.slice(0, 200)}`));
    }
  }

  private die(reason: string): void {
    if (this.deadReason) return;
    this.deadReason = reason;
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error(reason));
    }
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** The script beside the sources (`apps/tuner/optimiser/`), from `apps/tuner/src` or from `dist/apps/tuner/src`. */
export function optimiserScript(): string {
  const env = process.env.TY_TUNER_OPTIMISER;
  if (env) return env;
  for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'apps/tuner/optimiser/optimiser.py');
    if (existsSync(candidate)) return candidate;
    const beside = join(dir, 'optimiser/optimiser.py');
    if (existsSync(beside) && dir.endsWith('tuner')) return beside;
  }
  throw new Error('apps/tuner/optimiser/optimiser.py not found (set TY_TUNER_OPTIMISER)');
}
