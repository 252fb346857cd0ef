"""PyTorch twin of `descent train sms-spam` and `descent train sentiment`: the texts split 80/20 by
randperm(Generator(0)), a vocabulary of the training texts' words seen twice or more (most frequent first), the
texts as word indices padded to a common length (at most 100), EmbeddingBag(mean, padding 0) 64 -> Linear 64 ->
ReLU -> Linear 2; Adam lr 3e-3, batch 32, 10 epochs, seed 0. Same weights and batches as descent.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/text.py sms-spam   (or sentiment)"""
import os
import re
import sys

import torch
from torch import nn

from common import data_dir, fit, loaders, result, seeded_split

SEED, LR, BATCH, EPOCHS, EMB, HIDDEN, MAX_LENGTH = 0, 3e-3, 32, 10, 64, 64, 100
JS_TRIM = " \t\n\r\x0b\x0c\xa0\ufeff\u2028\u2029"  # what JavaScript's trim() removes (Python's strip() also takes U+0085)


def tokenize(text):
    return re.findall(r"[a-z0-9£$€]+|[!?]", text.lower())


def sms_spam():
    lines = [l for l in open(os.path.join(data_dir("sms-spam"), "SMSSpamCollection"), encoding="utf-8", newline="").read().split("\n") if l]
    pairs = [l.rstrip("\r").split("\t", 1) for l in lines]
    return [t for _, t in pairs], [1 if label == "spam" else 0 for label, _ in pairs]


def sentiment():
    texts, labels = [], []
    for name in ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"]:
        for line in open(os.path.join(data_dir("sentiment-sentences"), name), encoding="utf-8", newline="").read().split("\n"):
            if line.strip(JS_TRIM):
                tab = line.rindex("\t")
                texts.append(line[:tab].strip(JS_TRIM))
                labels.append(int(line[tab + 1:].strip(JS_TRIM)))
    return texts, labels


recipe = sys.argv[1] if len(sys.argv) > 1 else "sms-spam"
texts, labels = {"sms-spam": sms_spam, "sentiment": sentiment}[recipe]()
train_idx, test_idx = seeded_split(len(texts), 0.8)
counts = {}
for i in train_idx:
    for w in tokenize(texts[i]):
        counts[w] = counts.get(w, 0) + 1
vocab = {w: k + 2 for k, (w, _) in enumerate(sorted([(w, c) for w, c in counts.items() if c >= 2], key=lambda wc: (-wc[1], wc[0])))}


def encode(positions):
    ids = [[vocab.get(w, 1) for w in tokenize(texts[i])[:MAX_LENGTH]] for i in positions]
    length = max(1, max(len(x) for x in ids))
    return torch.tensor([x + [0] * (length - len(x)) for x in ids]), torch.tensor([labels[i] for i in positions])


train, test = encode(train_idx), encode(test_idx)
torch.manual_seed(SEED)
model = nn.Sequential(nn.EmbeddingBag(len(vocab) + 2, EMB, mode="mean", padding_idx=0), nn.Linear(EMB, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2))
train_loader, test_loader = loaders(train, test, BATCH, SEED)
opt = torch.optim.Adam(model.parameters(), LR)
val, seconds = fit(model, train_loader, test_loader, nn.functional.cross_entropy, opt, EPOCHS, metrics=("accuracy",))
result(recipe, {"test_accuracy": val["accuracy"], "test_loss": val["loss"]}, seconds)
