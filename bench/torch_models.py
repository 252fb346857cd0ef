"""PyTorch twins of W5-W8 (bench/descent-models.ts): same models, seed, hyperparameters and batches.

Usage: torch_models.py SPEC_JSON, where SPEC_JSON (written by bench/run.ts from bench/workloads.ts) names the
workload, the steps, the hyperparameters and the data files. Threads: DESCENT_BENCH_THREADS, device:
DESCENT_BENCH_TORCH_DEVICE (torch_env.py; the weights are drawn on the CPU, then moved, so every device starts alike).
Prints one JSON line: rate (samples or tokens per second over the timed steps), timedSteps, losses of the
first steps, finalLoss, paramSum (sum of the initial parameters).
"""
import gzip
import json
import sys
import time

import numpy as np
from torch_env import DEVICE, synchronize, torch
from torch import nn
import torch.nn.functional as F
from torch_cnn import mnist_cnn

spec = json.loads(sys.argv[1])
workload = spec["workload"]
torch.manual_seed(spec["seed"])
B, T = spec["charBatch"], spec["context"]


class CharGpt(nn.Module):
    def __init__(self, vocab, cfg):
        super().__init__()
        d = cfg["dModel"]
        self.token_embedding = nn.Embedding(vocab, d)
        self.position_embedding = nn.Embedding(T, d)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(d, cfg["heads"], 4 * d, 0.0, activation="gelu", batch_first=True, norm_first=True)
            for _ in range(cfg["layers"])
        ])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)
        self.register_buffer("causal", torch.triu(torch.ones(T, T, dtype=torch.bool), 1))

    def forward(self, tokens):
        x = self.token_embedding(tokens) + self.position_embedding(torch.arange(T, device=tokens.device))
        for block in self.blocks:
            x = block(x, src_mask=self.causal)
        return self.head(self.norm(x))


class CharLstm(nn.Module):
    def __init__(self, vocab, cfg):
        super().__init__()
        self.embedding = nn.Embedding(vocab, cfg["embedding"])
        self.lstm = nn.LSTM(cfg["embedding"], cfg["hidden"], batch_first=True)
        self.head = nn.Linear(cfg["hidden"], vocab)

    def forward(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))
        return self.head(out)


class Vae(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h, z = cfg["hidden"], cfg["latent"]
        self.fc1 = nn.Linear(784, h)
        self.fc_mu = nn.Linear(h, z)
        self.fc_logvar = nn.Linear(h, z)
        self.fc3 = nn.Linear(z, h)
        self.fc4 = nn.Linear(h, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape).to(mu.device)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def load_corpus():
    text = open(spec["shakespeare"], "rb").read()
    chars = sorted(set(text))
    lut = np.zeros(256, dtype=np.int64)
    lut[chars] = np.arange(len(chars))
    return torch.from_numpy(lut[np.frombuffer(text, dtype=np.uint8)]), len(chars)  # batches move to DEVICE in loss()


def char_batch(codes, k):
    """bench/workloads.ts charBatch: window j of batch k starts at ((k * B + j) * 2654435761) mod span."""
    span = len(codes) - T - 1
    starts = [((k * B + j) * 2654435761) % span for j in range(B)]
    x = torch.stack([codes[s:s + T] for s in starts])
    y = torch.stack([codes[s + 1:s + T + 1] for s in starts])
    return x, y


def mnist_train():
    raw = open(spec["mnist"], "rb").read()
    n_train, _, pixels = np.frombuffer(raw, dtype=np.int32, count=3)
    images = np.frombuffer(raw, dtype=np.float32, count=n_train * pixels, offset=12)
    labels = np.frombuffer(raw, dtype=np.int32, count=n_train, offset=12 + images.nbytes)
    return torch.from_numpy(images.copy()).view(-1, 1, 28, 28).to(DEVICE), torch.from_numpy(labels.copy()).long().to(DEVICE)


def build():
    """The model, its optimizer and a loss of batch k, drawn from the seed in the order of bench/descent-models.ts."""
    if workload == "W5":
        cfg = spec["cnn"]
        images, labels = mnist_train()
        per = len(labels) // cfg["batch"]
        model = mnist_cnn()
        opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])

        def loss(k):
            at = (k % per) * cfg["batch"]
            return F.cross_entropy(model(images[at:at + cfg["batch"]]), labels[at:at + cfg["batch"]])
        return model, opt, loss
    if workload in ("W6", "W7"):
        codes, vocab = load_corpus()
        if workload == "W6":
            cfg = spec["gpt"]
            model = CharGpt(vocab, cfg)
            opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weightDecay"])
        else:
            model = CharLstm(vocab, spec["lstm"])
            opt = torch.optim.Adam(model.parameters(), lr=spec["lstm"]["lr"])

        def loss(k):
            x, y = char_batch(codes, k)
            x, y = x.to(DEVICE), y.to(DEVICE)
            return F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        return model, opt, loss
    cfg = spec["vae"]
    with gzip.open(spec["fashion"], "rb") as f:
        pixels = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    per = len(pixels) // 784 // cfg["batch"]
    model = Vae(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])

    def loss(k):
        at = (k % per) * cfg["batch"] * 784
        x = torch.from_numpy(pixels[at:at + cfg["batch"] * 784].astype(np.float32) / 255).view(cfg["batch"], 784).to(DEVICE)
        reconstruction, mu, logvar = model(x)
        bce = F.binary_cross_entropy(reconstruction, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kl) / cfg["batch"]
    return model, opt, loss


model, opt, loss_of = build()
param_sum = sum(p.sum().item() for p in model.parameters())
model.to(DEVICE)  # in place: the optimizer's parameters move with it


def step(k):
    opt.zero_grad()
    loss = loss_of(k)
    loss.backward()
    opt.step()
    return loss.item()


# bench/workloads.ts timeSteps: warm-up steps, then timed ones until the count or the budget runs out.
losses = [step(k) for k in range(spec["warmup"])]
synchronize()
start = time.perf_counter()
k, loss = spec["warmup"], losses[-1]
while k < spec["warmup"] + spec["steps"] and (time.perf_counter() - start) * 1000 < spec["budgetMs"]:
    loss = step(k)
    k += 1
    if len(losses) < 10:
        losses.append(loss)
synchronize()
seconds = time.perf_counter() - start
timed = k - spec["warmup"]
print(json.dumps({"rate": timed * spec["unitsPerStep"] / seconds, "timedSteps": timed, "losses": losses,
                  "finalLoss": loss, "paramSum": param_sum, "threads": torch.get_num_threads()}))
