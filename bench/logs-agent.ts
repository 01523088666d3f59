import { jetstream } from '@nats-io/jetstream';
import { connectNats } from '@trainyard/event-log';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetStreamLogPublish, LogShipper } from '../apps/node-agent/src/log-shipper';
import { processRuntime } from '../apps/node-agent/src/process-runtime';

/**
 * The agent side of `npm run bench:logs`, in its own process as on a real node: a task that prints
 * `<epoch ms> <n> <padding>` as fast as it can, read by the agent's process runtime and shipped by
 * its LogShipper. Prints one JSON line: when the task started and when its last line was pushed.
 * argv: natsUrl jobId lines [linesPerSecond] — with a rate, the task prints that many lines per second
 * (in 10 ms steps) instead of as fast as it can.
 */
async function main(): Promise<void> {
  const [natsUrl, jobId, lines, rate] = process.argv.slice(2);
  const n = Number(lines);
  const perStep = rate ? Math.max(1, Math.round(Number(rate) / 100)) : 0;
  const nc = await connectNats(natsUrl, 'bench-agent');
  const shipper = new LogShipper({ publish: jetStreamLogPublish(jetstream(nc)), jobId, task: 'worker-0', attempt: 1, nodeId: 'bench-node' });
  const paced = `const N=${n},P=${perStep};let i=0;const pad='x'.repeat(40);const t0=Date.now();function go(){const due=Math.min(N,Math.floor((Date.now()-t0)/10+1)*P);let s='';while(i<due){i++;s+=Date.now()+' '+i+' '+pad+'\\n';}if(s)process.stdout.write(s);if(i<N)setTimeout(go,10-((Date.now()-t0)%10));}go();`;
  const burst = `const N=${n};let i=0;const pad='x'.repeat(40);function go(){let ok=true;while(i<N&&ok){let s='';for(let k=0;k<512&&i<N;k++){i++;s+=Date.now()+' '+i+' '+pad+'\\n';}ok=process.stdout.write(s);}if(i<N)process.stdout.once('drain',go);}go();`;
  const script = perStep ? paced : burst;
  const cwd = mkdtempSync(join(tmpdir(), 'ty-bench-task-'));
  const startedAt = Date.now();
  const task = await processRuntime().launch({ command: `exec "${process.execPath}" -e "${script.replace(/"/g, '\\"')}"`, cwd, env: { PATH: process.env.PATH ?? '' } }, (stream, text) =>
    shipper.push(stream, text),
  );
  const exit = await task.exited;
  const pushedAt = Date.now();
  await shipper.close();
  const storedByAgentAt = Date.now();
  console.log(JSON.stringify({ startedAt, pushedAt, acknowledgedAt: storedByAgentAt, lines: shipper.lineCount, exit }));
  await nc.drain();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
