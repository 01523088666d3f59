"""A tiny stand-in for a training script: standard library only.

It reads the distributed environment the platform injects (ch14 §12 of the guide) and prints a few
loss lines, so the walking skeleton can be checked end to end without any ML framework.
"""
import argparse
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--lr", type=float, default=0.1)
args = parser.parse_args()

rank = int(os.environ.get("VC_TASK_INDEX", "0"))
world = int(os.environ.get("MA_NUM_HOSTS", "1"))
print(f"rank={rank} world={world}", flush=True)
print(f"hosts={os.environ.get('VC_WORKER_HOSTS', '')} start_count={os.environ.get('MA_PROC_START_CNT', '')}", flush=True)

loss = 1.0
for epoch in range(args.epochs):
    loss *= 1.0 - args.lr
    print(f"epoch={epoch} loss={loss:.4f}", flush=True)
    time.sleep(0.2)
print("done", flush=True)
