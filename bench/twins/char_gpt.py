"""PyTorch twin of `descent train char-gpt`: a character-level GPT on tiny Shakespeare (token + position
embeddings, 2 pre-norm Transformer blocks with causal self-attention, 4 heads, d 64, GELU, context 64, final
LayerNorm, linear head); non-overlapping windows of the first 90% (nanoGPT's split); AdamW lr 3e-3, weight decay
0.1, 100 warmup steps then cosine to a tenth, gradient norm clipped to 1, batch 32, 5 epochs, seed 0.
Same initial weights and batches as descent. Prints a sample (temperature 0.8, top-k 10).
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/char_gpt.py"""
import math
import os

import torch
from torch import nn

from common import data_dir, fit, loaders, result, warmup_cosine

SEED, LR, BATCH, EPOCHS, WARMUP, CONTEXT, D, HEADS, LAYERS = 0, 3e-3, 32, 5, 100, 64, 64, 4, 2


class CharGpt(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, D)
        self.position_embedding = nn.Embedding(CONTEXT, D)
        block = nn.TransformerEncoderLayer(D, HEADS, 4 * D, 0.0, "gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, LAYERS, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(D)
        self.head = nn.Linear(D, vocab_size)

    def forward(self, tokens):
        t = tokens.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
        h = self.token_embedding(tokens) + self.position_embedding(torch.arange(t))
        return self.head(self.norm(self.blocks(h, mask=causal)))


def windows(ids):
    n = (len(ids) - 1) // CONTEXT
    return ids[:n * CONTEXT].view(n, CONTEXT), ids[1:n * CONTEXT + 1].view(n, CONTEXT)


text = open(os.path.join(data_dir("tinyshakespeare"), "input.txt"), encoding="utf-8").read()
chars = sorted(set(text))
index = {c: i for i, c in enumerate(chars)}
ids = torch.tensor([index[c] for c in text])
cut = math.floor(len(ids) * 0.9)
train, test = windows(ids[:cut]), windows(ids[cut:])
torch.manual_seed(SEED)
model = CharGpt(len(chars))
train_loader, test_loader = loaders(train, test, BATCH, SEED, eval_batch_size=256)
opt = torch.optim.AdamW(model.parameters(), LR, weight_decay=0.1)
steps = EPOCHS * math.ceil(len(train[0]) / BATCH)
loss_fn = lambda logits, targets: nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten())  # noqa: E731
val, seconds = fit(model, train_loader, test_loader, loss_fn, opt, EPOCHS, warmup_cosine(opt, LR, WARMUP, steps), clip=1.0)

model.eval()
generator = torch.Generator().manual_seed(0)
out = [chars.index("\n")]
with torch.no_grad():
    for _ in range(300):
        logits = model(torch.tensor([out[-CONTEXT:]]))[0, -1] / 0.8
        kth = torch.topk(logits, 10).values[-1]
        logits[logits < kth] = -math.inf
        out.append(torch.multinomial(logits.softmax(-1), 1, generator=generator).item())
print("".join(chars[i] for i in out))
result("char-gpt", {"val_loss": val["loss"]}, seconds)
