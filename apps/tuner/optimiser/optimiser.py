#!/usr/bin/python3
"""The tuner's optimiser (issue 15): one search's model, driven over stdin/stdout, one JSON object a line.

Requests and their answers (every answer is {"ok": true, ...} or {"ok": false, "error": "..."}):
  {"op": "init", "algorithm": "tpe_search" | "bayes_opt_search", "space": [...], "direction": "minimize",
   "params": {...the search's algorithmParameters...}, "seed": 7, "parallel": 3}
  {"op": "tell", "trial": 3, "values": {...}, "state": "complete" | "fail" | "pruned" | "running",
   "value": 0.25, "intermediate": [[1, 0.9], [2, 0.5]]}
      A trial's outcome, or (state "running") a trial that runs: the tuner tells every past trial again
      after a restart, so the model is rebuilt from the log. Telling a trial twice changes nothing more.
  {"op": "ask", "trial": 4} -> {"ok": true, "values": {...}}

tpe_search is optuna's TPESampler. optuna 3.1 (Debian's) has no Gaussian-process sampler, so
bayes_opt_search is scikit-learn's GaussianProcessRegressor (Matern 5/2) with the guide's acquisition
functions (ucb with kappa, ei and poi with xi), maximised over random and local candidates; pending
trials count at the model's mean (kriging believer), so parallel asks differ. Stdout carries answers
only; optuna's log goes to stderr.
"""
import json
import math
import sys


def encode_space(space):
    import optuna.distributions as d
    out = {}
    for p in space:
        if p["type"] == "categorical":
            out[p["name"]] = d.CategoricalDistribution(p["choices"])
        elif p["type"] == "int":
            out[p["name"]] = d.IntDistribution(p["min"], p["max"], log=bool(p.get("log")), step=1 if p.get("log") else p.get("step", 1))
        else:
            out[p["name"]] = d.FloatDistribution(p["min"], p["max"], log=bool(p.get("log")))
    return out


class Tpe:
    def __init__(self, space, direction, params, seed, parallel):
        import optuna
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        gamma = float(params.get("gamma", 0.25))
        sampler = optuna.samplers.TPESampler(
            n_startup_trials=int(params.get("n_initial_points", 10)),
            gamma=lambda n: min(int(math.ceil(gamma * n)), 25),
            seed=seed,
            # Parallel trials: a running trial counts as a bad one, so two asks do not propose the same point.
            constant_liar=parallel > 1,
        )
        self.study = optuna.create_study(direction=direction, sampler=sampler)
        self.distributions = encode_space(space)
        self.numbers = {}

    def ask(self, trial):
        if trial in self.numbers:
            t = self.study._storage.get_trial(self._id(trial))
            return t.params
        t = self.study.ask(self.distributions)
        self.numbers[trial] = t.number
        return t.params

    def _id(self, trial):
        return self.study.trials[self.numbers[trial]]._trial_id

    def tell(self, trial, values, state, value, intermediate):
        S = self.optuna.trial.TrialState
        states = {"complete": S.COMPLETE, "fail": S.FAIL, "pruned": S.PRUNED, "running": S.RUNNING}
        if trial in self.numbers:
            frozen = self.study.trials[self.numbers[trial]]
            if frozen.state != S.RUNNING or state == "running":
                return
            storage = self.study._storage
            for step, v in intermediate:
                if step not in frozen.intermediate_values:
                    storage.set_trial_intermediate_value(frozen._trial_id, int(step), float(v))
            if state == "complete":
                self.study.tell(frozen.number, float(value))
            else:
                self.study.tell(frozen.number, state=states[state])
            return
        fixed = {k: v for k, v in values.items() if k in self.distributions}
        t = self.optuna.trial.create_trial(
            params=fixed,
            distributions={k: self.distributions[k] for k in fixed},
            value=float(value) if state == "complete" else None,
            state=states[state],
            intermediate_values={int(s): float(v) for s, v in intermediate},
        )
        self.study.add_trial(t)
        self.numbers[trial] = len(self.study.trials) - 1


class Bayes:
    def __init__(self, space, direction, params, seed, parallel):
        import numpy as np
        self.np = np
        self.space = space
        self.sign = -1.0 if direction == "minimize" else 1.0
        self.kind = params.get("kind", "ucb")
        self.kappa = float(params.get("kappa", 2.576))
        self.xi = float(params.get("xi", 0.0))
        self.initial = int(params.get("n_initial_points", 5))
        self.seed = seed
        self.done = {}
        self.pending = {}

    def _unit(self, p, v):
        np = self.np
        if p["type"] == "categorical":
            one = np.zeros(len(p["choices"]))
            one[p["choices"].index(v)] = 1.0
            return one
        lo, hi, x = (math.log(p["min"]), math.log(p["max"]), math.log(max(v, p["min"]))) if p.get("log") else (p["min"], p["max"], v)
        return np.array([(x - lo) / (hi - lo)])

    def _encode(self, values):
        return self.np.concatenate([self._unit(p, values[p["name"]]) for p in self.space])

    def _decode(self, x):
        values, i = {}, 0
        for p in self.space:
            if p["type"] == "categorical":
                n = len(p["choices"])
                values[p["name"]] = p["choices"][int(self.np.argmax(x[i:i + n]))]
                i += n
                continue
            u = min(1.0, max(0.0, float(x[i])))
            i += 1
            if p.get("log"):
                v = math.exp(math.log(p["min"]) + u * (math.log(p["max"]) - math.log(p["min"])))
            else:
                v = p["min"] + u * (p["max"] - p["min"])
            if p["type"] == "int":
                step = 1 if p.get("log") else p.get("step", 1)
                v = p["min"] + step * round((v - p["min"]) / step)
                v = int(min(p["max"] - (p["max"] - p["min"]) % step, max(p["min"], v)))
            else:
                v = min(p["max"], max(p["min"], v))
            values[p["name"]] = v
        return values

    def _random_unit(self, rng, n):
        cols = []
        for p in self.space:
            if p["type"] == "categorical":
                k = len(p["choices"])
                cols.append(self.np.eye(k)[rng.integers(0, k, n)])
            else:
                cols.append(rng.random((n, 1)))
        return self.np.hstack(cols)

    def tell(self, trial, values, state, value, intermediate):
        if trial in self.done:
            return
        if state == "running":
            self.pending[trial] = values
            return
        self.pending.pop(trial, None)
        # A failed or pruned trial has no final value for the model: it is left out (bayes_opt does the same).
        self.done[trial] = (values, float(value) if state == "complete" and value is not None else None)

    def ask(self, trial):
        np = self.np
        rng = np.random.default_rng((self.seed * 1_000_003 + trial) % (2 ** 32))
        observed = [(self._encode(v), self.sign * y) for v, y in self.done.values() if y is not None]
        if len(observed) < self.initial:
            values = self._decode(self._random_unit(rng, 1)[0])
            self.pending[trial] = values
            return values
        from scipy.stats import norm
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import Matern
        X = np.array([x for x, _ in observed])
        y = np.array([t for _, t in observed])

        def fit(X, y):
            gp = GaussianProcessRegressor(kernel=Matern(nu=2.5), alpha=1e-6, normalize_y=True, n_restarts_optimizer=3, random_state=int(rng.integers(0, 2 ** 31)))
            gp.fit(X, y)
            return gp

        gp = fit(X, y)
        pend = [self._encode(v) for t, v in self.pending.items() if t != trial]
        if pend:
            P = np.array(pend)
            X, y = np.vstack([X, P]), np.concatenate([y, gp.predict(P)])
            gp = fit(X, y)
        best = y.max()
        top = X[np.argsort(-y)[:5]]
        local = np.clip(np.repeat(top, 100, axis=0) + rng.normal(0, 0.05, (len(top) * 100, X.shape[1])), 0, 1)
        candidates = np.vstack([self._random_unit(rng, 2000), local])
        mu, sigma = gp.predict(candidates, return_std=True)
        sigma = np.maximum(sigma, 1e-9)
        if self.kind == "ucb":
            acq = mu + self.kappa * sigma
        else:
            z = (mu - best - self.xi) / sigma
            acq = (mu - best - self.xi) * norm.cdf(z) + sigma * norm.pdf(z) if self.kind == "ei" else norm.cdf(z)
        values = self._decode(candidates[int(np.argmax(acq))])
        self.pending[trial] = values
        return values


ALGORITHMS = {"tpe_search": Tpe, "bayes_opt_search": Bayes}


def main():
    model = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "init":
                model = ALGORITHMS[req["algorithm"]](req["space"], req["direction"], req.get("params", {}), int(req.get("seed", 0)), int(req.get("parallel", 1)))
                answer = {"ok": True}
            elif model is None:
                answer = {"ok": False, "error": "init first"}
            elif op == "tell":
                model.tell(int(req["trial"]), req.get("values", {}), req["state"], req.get("value"), req.get("intermediate", []))
                answer = {"ok": True}
            elif op == "ask":
                answer = {"ok": True, "values": model.ask(int(req["trial"]))}
            else:
                answer = {"ok": False, "error": "unknown op %r" % op}
        except Exception as err:  # an answer, not a dead process: the tuner logs it and falls back
            answer = {"ok": False, "error": "%s: %s" % (type(err).__name__, err)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
