"""PyTorch twin of `descent train movielens-mf` and `descent train movielens-ncf`: MovieLens latest-small, users and
movies numbered by torch.unique (sorted), the ratings split 80/20 by randperm(Generator(0)); held-out predictions
clamped to [0.5, 5]; recommendations among movies with 20 training ratings or more.
mf: global mean + user bias + movie bias + 32 factors (sparse embeddings; factors N(0, 0.01), biases 0), loss MSE
    + 0.2 x the batch mean of the squared norms of the rows used; SparseAdam lr 0.01, batch 256, 8 epochs.
ncf: 32-d user and movie embeddings concatenated -> Dropout 0.2 -> Linear 64 -> ReLU -> Dropout 0.2 -> Linear 1,
    + global mean; AdamW lr 3e-3, weight decay 0.1, batch 256, 10 epochs.
Seed 0; same weights and batches as descent.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/movielens.py mf   (or ncf)"""
import csv
import os
import sys

import torch
from torch import nn

from common import data_dir, fit, loaders, result, seeded_split

SEED, BATCH, L2 = 0, 256, 0.2
variant = sys.argv[1] if len(sys.argv) > 1 else "mf"

folder = data_dir("ml-latest-small")
rows = list(csv.reader(open(os.path.join(folder, "ratings.csv"), encoding="utf-8")))[1:]
user_ids, users = torch.unique(torch.tensor([int(r[0]) for r in rows], dtype=torch.int32), return_inverse=True)
movie_ids, movies = torch.unique(torch.tensor([int(r[1]) for r in rows], dtype=torch.int32), return_inverse=True)
ratings = torch.tensor([float(r[2]) for r in rows])
titles = {int(r[0]): r[1] for r in list(csv.reader(open(os.path.join(folder, "movies.csv"), encoding="utf-8")))[1:]}
pairs = torch.stack([users, movies], 1)
train_idx, test_idx = seeded_split(len(ratings), 0.8)
train, test = (pairs[train_idx], ratings[train_idx]), (pairs[test_idx], ratings[test_idx])
mean = train[1].mean().item()


class MatrixFactorization(nn.Module):
    def __init__(self, n_users, n_movies, factors=32):
        super().__init__()
        self.user_factors = nn.Embedding(n_users, factors, sparse=True)
        self.movie_factors = nn.Embedding(n_movies, factors, sparse=True)
        self.user_bias = nn.Embedding(n_users, 1, sparse=True)
        self.movie_bias = nn.Embedding(n_movies, 1, sparse=True)
        self.register_buffer("mean", torch.tensor(mean))
        with torch.no_grad():
            nn.init.normal_(self.user_factors.weight, 0, 0.01)
            nn.init.normal_(self.movie_factors.weight, 0, 0.01)
            nn.init.zeros_(self.user_bias.weight)
            nn.init.zeros_(self.movie_bias.weight)

    def scores(self, pairs):
        u, m = pairs[:, 0], pairs[:, 1]
        p, q = self.user_factors(u), self.movie_factors(m)
        bu, bm = self.user_bias(u).squeeze(1), self.movie_bias(m).squeeze(1)
        penalty = (p.pow(2).sum(1) + q.pow(2).sum(1) + bu.pow(2) + bm.pow(2)).mean()
        return (p * q).sum(1) + bu + bm + self.mean, penalty

    def forward(self, pairs):
        return self.scores(pairs)[0]


class NeuralCF(nn.Module):
    def __init__(self, n_users, n_movies, dim=32, hidden=64, dropout=0.2):
        super().__init__()
        self.user_embedding = nn.Embedding(n_users, dim)
        self.movie_embedding = nn.Embedding(n_movies, dim)
        self.mlp = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * dim, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 1))
        self.register_buffer("mean", torch.tensor(mean))

    def forward(self, pairs):
        return self.mlp(torch.cat([self.user_embedding(pairs[:, 0]), self.movie_embedding(pairs[:, 1])], 1)).squeeze(1) + self.mean


def on_scale(model, batch):
    """Held-out predictions are clamped to the rating scale; training fits the raw scores."""
    prediction = model(batch[0])
    return (prediction if model.training else prediction.clamp(0.5, 5)), batch[1]


torch.manual_seed(SEED)
train_loader, test_loader = loaders(train, test, BATCH, SEED)
if variant == "mf":
    model = MatrixFactorization(len(user_ids), len(movie_ids))
    opt = torch.optim.SparseAdam(list(model.parameters()), 0.01)
    val, seconds = fit(model, train_loader, test_loader, nn.functional.mse_loss, opt, 8, metrics=("rmse",), forward=on_scale,
                       penalty=lambda m, batch: L2 * m.scores(batch[0])[1])
else:
    model = NeuralCF(len(user_ids), len(movie_ids))
    opt = torch.optim.AdamW(model.parameters(), 3e-3, weight_decay=0.1)
    val, seconds = fit(model, train_loader, test_loader, nn.functional.mse_loss, opt, 10, metrics=("rmse",), forward=on_scale)

model.eval()
with torch.no_grad():
    user = 0  # MovieLens userId 1
    predicted = model(torch.stack([torch.full((len(movie_ids),), user), torch.arange(len(movie_ids))], 1))
    seen = train[0][train[0][:, 0] == user][:, 1]
    predicted[seen] = -float("inf")
    predicted[torch.bincount(train[0][:, 1], minlength=len(movie_ids)) < 20] = -float("inf")  # at least 20 training ratings
    best = torch.topk(predicted, 10)
print("top 10 for user 1: " + "; ".join(f"{titles[int(movie_ids[m])]} ({v:.2f})" for v, m in zip(best.values.tolist(), best.indices.tolist())))
result(f"movielens-{variant}", {"test_rmse": val["rmse"], "test_mse": val["loss"]}, seconds)
