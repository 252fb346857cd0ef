"""Fixtures for the training system (data loading order, splits, safetensors files, metrics).

Run with Debian's python (torch 1.13): /usr/bin/python3 tools/gen_train_fixtures.py
Writes test/fixtures/train_data.json, train_metrics.json and train_weights.safetensors.

  /usr/bin/python3 tools/gen_train_fixtures.py --check RUN_DIR
checks that a checkpoint written by `descent train` (mnist-cnn or mnist-mlp) loads into the same PyTorch model
with load_state_dict(strict=True), and prints the model's logits on a fixed input for comparison.
"""
import json
import os

import torch
from torch.utils.data import DataLoader, TensorDataset, random_split

from fixtures_common import FIXTURES, dump, encode, read_safetensors, write_safetensors


def loader_orders():
    """Batch index order of torch's DataLoader over 3 epochs, and the generator's next draws afterwards."""
    cases = []
    for n, batch_size, shuffle, drop_last, seed in [
        (10, 3, True, False, 0),
        (10, 3, True, True, 7),
        (7, 7, True, False, 3),
        (9, 1, True, False, 1),
        (10, 4, False, False, 0),
        (100, 32, True, False, 123),
    ]:
        data = TensorDataset(torch.arange(n))
        g = torch.Generator().manual_seed(seed)
        loader = DataLoader(data, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=g)
        epochs = [[b[0].tolist() for b in loader] for _ in range(3)]
        after = torch.rand(3, generator=g)
        cases.append({"n": n, "batch_size": batch_size, "shuffle": shuffle, "drop_last": drop_last, "seed": seed,
                      "len": len(loader), "epochs": epochs, "rand_after": encode(after)})
    return cases


def nested_iteration():
    """A loader iterated inside its own loop: each iter() is its own epoch; the outer one carries on with its order."""
    g = torch.Generator().manual_seed(5)
    loader = DataLoader(TensorDataset(torch.arange(7)), batch_size=3, shuffle=True, generator=g)
    outer, inner = [], []
    for i, (b,) in enumerate(loader):
        outer.append(b.tolist())
        if i == 0:
            inner = [c[0].tolist() for c in loader]
    after = [b[0].tolist() for b in loader]
    return {"n": 7, "batch_size": 3, "seed": 5, "outer": outer, "inner": inner, "next_epoch": after}


def splits():
    out = []
    for n, lengths, seed in [(10, [3, 7], 42), (30, [0.3, 0.3, 0.4], 42), (11, [0.5, 0.5], 0), (10000, [8000, 2000], 0)]:
        parts = random_split(range(n), lengths, generator=torch.Generator().manual_seed(seed))
        out.append({"n": n, "lengths": lengths, "seed": seed, "indices": [list(p.indices) for p in parts]})
    return out


def metrics():
    torch.manual_seed(0)
    logits = torch.randn(20, 5, dtype=torch.float64)
    target = torch.randint(0, 5, (20,))
    pred = logits.argmax(1)
    top3 = logits.topk(3, dim=1).indices
    acc = (pred == target).double().mean().item()
    top3_acc = (top3 == target[:, None]).any(1).double().mean().item()
    prec, rec, f1 = [], [], []
    for c in range(5):
        tp = ((pred == c) & (target == c)).sum().item()
        fp = ((pred == c) & (target != c)).sum().item()
        fn = ((pred != c) & (target == c)).sum().item()
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        prec.append(p)
        rec.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    ce = torch.nn.functional.cross_entropy(logits, target).item()
    y = torch.randn(12, dtype=torch.float64)
    yhat = torch.randn(12, dtype=torch.float64)
    return {
        "logits": encode(logits), "target": encode(target),
        "accuracy": acc, "top3_accuracy": top3_acc,
        "precision_macro": sum(prec) / 5, "recall_macro": sum(rec) / 5, "f1_macro": sum(f1) / 5,
        "cross_entropy": ce, "perplexity": torch.exp(torch.tensor(ce, dtype=torch.float64)).item(),
        "y": encode(y), "yhat": encode(yhat),
        "mae": torch.nn.functional.l1_loss(yhat, y).item(),
        "rmse": torch.sqrt(torch.nn.functional.mse_loss(yhat, y)).item(),
    }


def weights():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    model(torch.randn(5, 3))  # update the running statistics
    sd = {k: (v.to(torch.int32) if v.dtype == torch.int64 else v) for k, v in model.state_dict().items()}
    sd["extra.f64"] = torch.randn(2, 2, dtype=torch.float64)
    sd["extra.mask"] = torch.tensor([True, False, True])
    sd["extra.scalar"] = torch.tensor(3.5)
    path = os.path.join(FIXTURES, "train_weights.safetensors")
    write_safetensors(path, sd, {"format": "pt", "source": "tools/gen_train_fixtures.py"})
    print("wrote", os.path.relpath(path))
    return {k: encode(v) for k, v in sd.items()}


class Residual(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


def torch_recipe(name, c=8):
    nn = torch.nn
    if name == "mnist-mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    block = lambda i, o: [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(*block(1, c), nn.MaxPool2d(2),
                         Residual(nn.Sequential(*block(c, c), nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(c * 7 * 7, 10))


def check(run_dir):
    config = json.load(open(os.path.join(run_dir, "config.json")))
    latest = json.load(open(os.path.join(run_dir, "latest.json")))["checkpoint"]
    tensors, metadata = read_safetensors(os.path.join(run_dir, latest, "model.safetensors"))
    model = torch_recipe(config["recipe"])
    print(model.load_state_dict(tensors, strict=True), metadata)
    model.eval()
    x = torch.arange(784, dtype=torch.float32).reshape(1, 1, 28, 28) / 784
    print(json.dumps(model(x)[0].tolist()))


if __name__ == "__main__" and len(__import__("sys").argv) == 3 and __import__("sys").argv[1] == "--check":
    check(__import__("sys").argv[2])
elif __name__ == "__main__":
    torch.manual_seed(0)
    cnn = torch_recipe("mnist-cnn")
    cnn.train()
    cnn(torch.rand(16, 1, 28, 28))  # running statistics away from their initial values
    cnn.eval()
    x = torch.rand(2, 1, 28, 28)
    sd = {k: (v.to(torch.int32) if v.dtype == torch.int64 else v) for k, v in cnn.state_dict().items()}
    write_safetensors(os.path.join(FIXTURES, "train_cnn.safetensors"), sd, {"format": "pt"})
    dump("train_cnn", {"x": encode(x), "logits": encode(cnn(x))})
    dump("train_data", {"loaders": loader_orders(), "splits": splits(), "nested": nested_iteration()})
    dump("train_metrics", metrics())
    dump("train_weights", weights())
