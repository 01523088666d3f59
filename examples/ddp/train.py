"""PyTorch DistributedDataParallel on CPU (gloo): a linear regression, a few epochs.

Launched by torchrun (launch method `torchrun`, ch01-03 §3.2 of the guide), which sets RANK,
WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT for every process. Hyperparameters arrive as
`--name=value` at the end of the command line. At the end every rank prints

    rank=<r> world=<w> sum=<s>

where <s> is an all-reduce over every rank of its copy of the trained weights: the same on every rank,
and world times the weights, since DistributedDataParallel keeps the replicas identical.
"""
import argparse
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def say(line):
    # One write per line, so lines of concurrent ranks never interleave mid-line.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--lr", type=float, default=0.05)
args, _ = parser.parse_known_args()  # the platform may append more than we know

dist.init_process_group(backend="gloo")
rank, world = dist.get_rank(), dist.get_world_size()
say(f"start rank={rank} local_rank={os.environ.get('LOCAL_RANK')} node={os.environ.get('VC_TASK_INDEX')} hosts={os.environ.get('VC_WORKER_HOSTS')}")

torch.manual_seed(0)  # same initial weights everywhere (DDP also broadcasts rank 0's)
x = torch.linspace(-1.0, 1.0, 256).unsqueeze(1)
dataset = TensorDataset(x, 3.0 * x + 1.0)
sampler = DistributedSampler(dataset, num_replicas=world, rank=rank, shuffle=True, seed=0)
loader = DataLoader(dataset, batch_size=16, sampler=sampler)
model = DistributedDataParallel(torch.nn.Linear(1, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)

for epoch in range(args.epochs):
    sampler.set_epoch(epoch)
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xb), yb)
        loss.backward()  # gradients are all-reduced here
        optimizer.step()
    if rank == 0:
        say(f"epoch={epoch} loss={loss.item():.4f}")

with torch.no_grad():
    total = sum(p.sum() for p in model.module.parameters()).reshape(1).clone()
dist.all_reduce(total)
say(f"rank={rank} world={world} sum={total.item():.6f}")
dist.destroy_process_group()
