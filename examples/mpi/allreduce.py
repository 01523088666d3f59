"""An MPI all-reduce with mpi4py, launched by mpirun (launch method `mpi`, ch01-03 §6 of the guide).

worker-0 runs mpirun with np = instances x slots; every rank prints

    rank=<r> world=<w> sum=<s>

where <s> is the all-reduced sum of rank + 1 over every rank: w(w+1)/2 on every rank.
"""
import argparse
import sys

from mpi4py import MPI

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=3)
args, _ = parser.parse_known_args()

comm = MPI.COMM_WORLD
rank, world = comm.Get_rank(), comm.Get_size()
total = 0
for _ in range(args.rounds):  # the same reduction a few times: every round must agree
    total = comm.allreduce(rank + 1, op=MPI.SUM)
comm.Barrier()
# One write per line, so lines of concurrent ranks never interleave mid-line.
sys.stdout.write(f"rank={rank} world={world} sum={total} host={MPI.Get_processor_name()}\n")
sys.stdout.flush()
