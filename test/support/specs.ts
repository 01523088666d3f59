import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '../..');

/** An example's job spec with its code dir made absolute, as `yard submit` does. */
export function exampleSpec(name: string): any {
  const file = resolve(root, 'examples', name, 'job.yaml');
  const spec = parse(readFileSync(file, 'utf8'));
  if (spec.algorithm?.codeDir) spec.algorithm.codeDir = resolve(dirname(file), spec.algorithm.codeDir);
  return spec;
}

/** A minimal valid job running `command` on `nodeCount` instances. */
export function shellJob(name: string, command: string, nodeCount = 1, extra: Record<string, unknown> = {}): any {
  return {
    kind: 'job',
    metadata: { name },
    algorithm: { command },
    spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 128 }, nodeCount }, ...extra },
  };
}

/**
 * A rank that counts steps and checkpoints them to `$CKPT_DIR/rank-<index>` (resuming from there),
 * acknowledges each checkpoint in `MA_CHECKPOINT_ACK_FILE`, and on a preemption notice saves, says
 * "saved <step>" and waits to be stopped. SIGTERM is ignored on purpose: only the acknowledged
 * checkpoint can end it before the grace period.
 */
export function checkpointingScript(): string {
  return [
    `f="$CKPT_DIR/rank-$VC_TASK_INDEX"`,
    `step=0; [ -f "$f" ] && step=$(cat "$f") && echo "resumed from step $step (schedule $MA_SCHEDULE_CNT)"`,
    `trap 'echo "rank $VC_TASK_INDEX got SIGTERM"' TERM`,
    `echo "$step" > "$f"; echo "step $step" > "$MA_CHECKPOINT_ACK_FILE"`,
    `while true; do`,
    `  if [ -f "$MA_PREEMPTION_NOTICE_FILE" ]; then echo "notice: $(cat "$MA_PREEMPTION_NOTICE_FILE")"; echo "$step" > "$f"; echo "saved $step" > "$MA_CHECKPOINT_ACK_FILE"; while true; do sleep 0.1; done; fi`,
    `  step=$((step+1)); sleep 0.1`,
    `done`,
  ].join('\n');
}
