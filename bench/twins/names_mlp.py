"""PyTorch twin of `descent train names-mlp`: makemore's MLP on names.txt (3 characters of context, embeddings
16, Linear 48-256 without bias, BatchNorm1d, tanh, Linear 256-27); the names split 90/10 by randperm(Generator(0));
AdamW lr 3e-3 weight decay 0.01, cosine over the run, batch 128, 5 epochs, seed 0. Same weights and batches as descent.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/names_mlp.py"""
import math
import os

import torch
from torch import nn

from common import data_dir, fit, loaders, result, seeded_split

SEED, LR, BATCH, EPOCHS, CONTEXT, EMB, HIDDEN = 0, 3e-3, 128, 5, 3, 16, 256

words = [w.strip() for w in open(os.path.join(data_dir("names"), "names.txt"), encoding="utf-8") if w.strip()]
chars = ["."] + sorted(set("".join(words)))
index = {c: i for i, c in enumerate(chars)}


def examples(ws):
    x, y = [], []
    for w in ws:
        window = [0] * CONTEXT
        for i in [index[c] for c in w] + [0]:
            x.append(window)
            y.append(i)
            window = window[1:] + [i]
    return torch.tensor(x), torch.tensor(y)


train_idx, test_idx = seeded_split(len(words), 0.9)
train, test = examples([words[i] for i in train_idx]), examples([words[i] for i in test_idx])
torch.manual_seed(SEED)
model = nn.Sequential(nn.Embedding(len(chars), EMB), nn.Flatten(), nn.Linear(CONTEXT * EMB, HIDDEN, bias=False), nn.BatchNorm1d(HIDDEN),
                      nn.Tanh(), nn.Linear(HIDDEN, len(chars)))
train_loader, test_loader = loaders(train, test, BATCH, SEED, eval_batch_size=5000)
opt = torch.optim.AdamW(model.parameters(), LR, weight_decay=0.01)
steps = EPOCHS * math.ceil(len(train[0]) / BATCH)
val, seconds = fit(model, train_loader, test_loader, nn.functional.cross_entropy, opt, EPOCHS, torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps))

model.eval()
generator = torch.Generator().manual_seed(0)
names = []
with torch.no_grad():
    for _ in range(20):
        window, out = [0] * CONTEXT, []
        while len(out) < 30:
            i = torch.multinomial(model(torch.tensor([window]))[0].softmax(-1), 1, generator=generator).item()
            if i == 0:
                break
            out.append(i)
            window = window[1:] + [i]
        names.append("".join(chars[i] for i in out))
print("samples:", ", ".join(names))
result("names-mlp", {"val_loss": val["loss"]}, seconds)
