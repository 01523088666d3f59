"""A noisy quadratic for hyperparameter search: `loss = 1 + (x - 1.5)^2 + penalty(optimizer) + noise`.
The minimum, 1.0, is at x = 1.5 with adam. It prints `loss=` once per step, falling towards the final value,
as training code prints its loss; the search reads the last one."""
import argparse
import random
import time

parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, required=True)
parser.add_argument("--optimizer", default="sgd")
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--step-seconds", type=float, default=0.0)
args, _ = parser.parse_known_args()

loss = 1.0 + (args.x - 1.5) ** 2 + (0.0 if args.optimizer == "adam" else 0.5)
rng = random.Random()
for step in range(1, args.steps + 1):
    if step > 1:
        time.sleep(args.step_seconds)
    # Early steps are worse; every step has a little noise (about 1 % of the minimum).
    print("step=%d loss=%.6f" % (step, loss * (1 + 0.5 * (args.steps - step)) + rng.gauss(0, 0.01)), flush=True)
