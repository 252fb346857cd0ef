#!/usr/bin/env python3
"""A hyperparameter search on Optuna that trains with `descent train --json`: one worker process per call.

Each worker asks the study for a trial, runs `descent train RECIPE --json` with the trial's hyperparameters in
its own run folder, reports every epoch's metric (the EPOCH lines) to the study so that its pruner can stop a
poor trial early (the run is then terminated: descent saves a checkpoint on SIGTERM), and tells the study the
final held-out metric (the RESULT line). Workers share nothing but the study's storage, so any number of them,
on any number of machines, can search one study: give them all the same --storage (PostgreSQL or MySQL across
machines, SQLite on one machine; see docs/scale.md).

  # once: create the study (then start workers; they load it)
  python3 tools/optuna_search.py --study lr-search --storage sqlite:///runs/lr-search.db --create
  # each worker (several per machine, several machines):
  python3 tools/optuna_search.py --study lr-search --storage sqlite:///runs/lr-search.db --trials 10 \\
      --param lr=log:1e-4:1e-1 --param optimizer=choice:sgd,momentum,adam --recipe mnist-cnn --epochs 4

Needs Optuna (Debian: apt-get install python3-optuna; else pip install optuna) and the `descent` command (or
--descent "node /path/to/dist/cli/main.js").
"""
import argparse
import json
import os
import shlex
import socket
import subprocess
import sys

import optuna


def parse_param(text):
    """name=log:LOW:HIGH | name=float:LOW:HIGH | name=int:LOW:HIGH[:log] | name=choice:A,B,C (names are descent train's flags)."""
    name, _, spec = text.partition("=")
    kind, _, rest = spec.partition(":")
    if not name or kind not in ("log", "float", "int", "choice"):
        raise argparse.ArgumentTypeError(f"--param {text!r}: expected name=log:LOW:HIGH, name=float:LOW:HIGH, name=int:LOW:HIGH[:log] or name=choice:A,B,...")
    if kind == "choice":
        return name, kind, rest.split(",")
    parts = rest.split(":")
    try:
        low, high = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        raise argparse.ArgumentTypeError(f"--param {text!r}: LOW and HIGH must be numbers")
    if not low < high:
        raise argparse.ArgumentTypeError(f"--param {text!r}: LOW must be below HIGH")
    return name, kind, (low, high, parts[2:] == ["log"])


def suggest(trial, name, kind, spec):
    if kind == "choice":
        return trial.suggest_categorical(name, spec)
    low, high, log = spec
    if kind == "int":
        return trial.suggest_int(name, int(low), int(high), log=log)
    return trial.suggest_float(name, low, high, log=kind == "log")


def pruner_of(args):
    if args.pruner == "none":
        return optuna.pruners.NopPruner()
    if args.pruner == "threshold":
        return optuna.pruners.ThresholdPruner(lower=args.prune_below, upper=args.prune_above)
    return optuna.pruners.MedianPruner(n_startup_trials=args.startup_trials, n_warmup_steps=args.warmup_epochs)


class TrialFailed(Exception):
    pass


def objective(args):
    def run(trial):
        params = {name: suggest(trial, name, kind, spec) for name, kind, spec in args.param}
        folder = os.path.join(args.out, args.study, f"trial-{trial.number:05d}")
        cmd = [*shlex.split(args.descent), "train", args.recipe, "--json", "--no-progress", "--out", folder,
               "--seed", str(args.seed), "--epochs", str(args.epochs)]
        for name, value in params.items():
            cmd += [f"--{name}", str(value)]
        cmd += args.extra
        trial.set_user_attr("run", folder)
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        result = None
        for line in proc.stdout:
            if line.startswith("EPOCH "):
                logs = json.loads(line[len("EPOCH "):])
                value = logs.get(args.metric)
                if value is None:
                    proc.terminate()
                    proc.wait()
                    raise TrialFailed(f"the epoch logs have no {args.metric!r} (they have {', '.join(logs)})")
                trial.report(value, step=int(logs["epoch"]))
                if trial.should_prune():
                    proc.terminate()  # descent saves a checkpoint on SIGTERM and stops
                    proc.wait()
                    raise optuna.TrialPruned(f"{args.metric} {value} at epoch {logs['epoch']}")
            elif line.startswith("RESULT "):
                result = json.loads(line[len("RESULT "):])
        stderr = proc.stderr.read()
        if proc.wait() != 0 or result is None:
            raise TrialFailed(f"{' '.join(cmd)} exited with {proc.returncode}: {stderr.strip()[-2000:]}")
        key = args.metric if args.metric in result else f"val_{args.metric}"
        if key not in result:
            raise TrialFailed(f"the RESULT line has no {args.metric!r} (it has {', '.join(result)})")
        return result[key]
    return run


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--study", required=True, help="the study's name")
    p.add_argument("--storage", required=True, help="Optuna storage URL shared by the workers (sqlite:///FILE, postgresql://..., mysql://...)")
    p.add_argument("--create", action="store_true", help="create the study (if missing) and exit: run once before starting workers")
    p.add_argument("--trials", type=int, default=10, help="trials this worker runs")
    p.add_argument("--param", type=parse_param, action="append", default=None, help="a hyperparameter: name=log:LOW:HIGH, float:LOW:HIGH, int:LOW:HIGH[:log] or choice:A,B (default: lr=log:1e-4:1e-1)")
    p.add_argument("--recipe", default="mnist-cnn")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0, help="descent's seed (weights, shuffling), the same for every trial")
    p.add_argument("--metric", default="val_accuracy", help="the epoch log and RESULT key to optimize")
    p.add_argument("--direction", choices=["maximize", "minimize"], default="maximize")
    p.add_argument("--pruner", choices=["median", "threshold", "none"], default="median")
    p.add_argument("--startup-trials", type=int, default=2, help="median pruner: trials finished before it prunes")
    p.add_argument("--warmup-epochs", type=int, default=0, help="median pruner: epochs before it prunes a trial")
    p.add_argument("--prune-below", type=float, default=None, help="threshold pruner: prune when the metric is below this")
    p.add_argument("--prune-above", type=float, default=None, help="threshold pruner: prune when the metric is above this")
    p.add_argument("--sampler-seed", type=int, default=None, help="seed of this worker's TPE sampler")
    p.add_argument("--descent", default="descent", help="the descent command (default: descent on the PATH)")
    p.add_argument("--out", default="runs/optuna", help="run folders go to OUT/STUDY/trial-NNNNN")
    p.add_argument("extra", nargs="*", help="more `descent train` flags, after --")
    args = p.parse_args(argv)
    args.param = args.param or [parse_param("lr=log:1e-4:1e-1")]
    if args.pruner == "threshold" and args.prune_below is None and args.prune_above is None:
        p.error("--pruner threshold needs --prune-below or --prune-above")
    study = optuna.create_study(study_name=args.study, storage=args.storage, direction=args.direction, pruner=pruner_of(args),
                                sampler=optuna.samplers.TPESampler(seed=args.sampler_seed), load_if_exists=True)
    if args.create:
        print(f"study {args.study} in {args.storage}")
        return 0
    study.optimize(objective(args), n_trials=args.trials, catch=(TrialFailed,))
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if done:
        best = study.best_trial
        print(f"best of {len(done)} complete trials: {args.metric} {best.value} with {best.params} (run {best.user_attrs.get('run')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
