"""Reference values for sparse embedding gradients and the rules that take them (PyTorch 1.13).
Run: /usr/bin/python3 tools/gen_sparse_fixtures.py  (writes test/fixtures/nn_sparse.json)

- grads: torch.nn.functional.embedding(..., sparse=True) gradients, coalesced (indices, values) and dense,
  with repeated indices and a padding index.
- trajectories: an Embedding(12, 4, sparse=True) trained a few steps on fixed index batches with
  loss = sum(out * target) + 0.5 * sum(out**2) (so the gradient depends on the weights), by SparseAdam,
  SGD (plain, momentum, Nesterov, maximize) and Adagrad, in float64 and float32: weights after each step.
- clip: clip_grad_norm_'s total norm over a sparse and a dense gradient."""
import torch
import torch.nn.functional as F
from fixtures_common import dump, encode

torch.manual_seed(0)
out = {}

grads = []
for name, shape, idx, padding in [
    ("repeats", (6, 3), [[1, 4, 1], [0, 4, 5]], None),
    ("padding", (6, 3), [[1, 0, 2], [0, 2, 2]], 0),
    ("one_index", (5, 2), [3], None),
]:
    w = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    index = torch.tensor(idx)
    y = F.embedding(index, w, padding_idx=padding, sparse=True)
    up = torch.randn(y.shape, dtype=torch.float64)
    y.backward(up)
    g = w.grad.coalesce()
    grads.append({"name": name, "weight": encode(w), "index": encode(index), "paddingIdx": padding, "upstream": encode(up),
                  "indices": encode(g.indices()), "values": encode(g.values()), "dense": encode(g.to_dense())})
out["grads"] = grads

BATCHES = [[1, 3, 3, 7], [0, 11, 3, 2], [7, 7, 7, 5], [4, 1, 9, 3], [11, 0, 6, 6], [2, 3, 4, 5]]
INIT = torch.randn(12, 4, dtype=torch.float64)
TARGET = torch.randn(4, 4, dtype=torch.float64)
out["init"] = encode(INIT)
out["target"] = encode(TARGET)
out["batches"] = BATCHES


def trajectory(rule, options, dtype):
    emb = torch.nn.Embedding(12, 4, sparse=True).to(dtype)
    with torch.no_grad():
        emb.weight.copy_(INIT.to(dtype))
    opt = getattr(torch.optim, rule)(emb.parameters(), **options)
    target = TARGET.to(dtype)
    weights = []
    for batch in BATCHES:
        opt.zero_grad()
        y = emb(torch.tensor(batch))
        loss = (y * target).sum() + 0.5 * (y ** 2).sum()
        loss.backward()
        opt.step()
        weights.append(encode(emb.weight))
    return weights


SNAKE = {"lrDecay": "lr_decay", "initialAccumulatorValue": "initial_accumulator_value"}
cases = []
for rule, options in [
    ("SparseAdam", {"lr": 0.05}), ("SparseAdam", {"lr": 0.1, "betas": [0.8, 0.9], "eps": 1e-6}), ("SparseAdam", {"lr": 0.05, "maximize": True}),
    ("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}), ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.3}), ("SGD", {"lr": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.2}), ("Adagrad", {"lr": 0.2, "lrDecay": 0.1, "initialAccumulatorValue": 0.5}),
]:
    for dtype, name in [(torch.float64, "float64"), (torch.float32, "float32")]:
        torch_options = {SNAKE.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in options.items()}
        cases.append({"rule": rule, "options": options, "dtype": name, "weights": trajectory(rule, torch_options, dtype)})
out["trajectories"] = cases

emb = torch.nn.Embedding(6, 3, sparse=True).double()
lin = torch.nn.Linear(3, 2).double()
loss = lin(emb(torch.tensor([1, 2, 1, 5]))).pow(2).sum()
loss.backward()
dense_grads = {"embedding": encode(emb.weight.grad.to_dense()), "linear_weight": encode(lin.weight.grad), "linear_bias": encode(lin.bias.grad)}
total = torch.nn.utils.clip_grad_norm_(list(emb.parameters()) + list(lin.parameters()), 0.5)
out["clip"] = {"grads": dense_grads, "total": float(total), "maxNorm": 0.5}

# embedding_bag: bags by offsets (an empty bag included), include_last_offset, 2-d input, sum with
# per_sample_weights, a padding index left out of its bag's mean
bags = []
for name, index, offsets, options in [
    ("mean_offsets_empty_bag", [2, 5, 5, 1, 0, 3], [0, 3, 3, 4], {}),
    ("sum_include_last_offset", [1, 1, 4, 2], [0, 1, 4], {"mode": "sum", "includeLastOffset": True}),
    ("mean_2d", [[1, 2, 3], [4, 4, 0]], None, {}),
    ("sum_per_sample_weights", [0, 2, 2, 5], [0, 2], {"mode": "sum", "perSampleWeights": True}),
    ("mean_padding", [[1, 0, 3], [0, 0, 2]], None, {"paddingIdx": 0}),
]:
    w = torch.randn(6, 3, dtype=torch.float64, requires_grad=True)
    idx = torch.tensor(index)
    off = None if offsets is None else torch.tensor(offsets)
    psw = torch.rand(idx.shape, dtype=torch.float64, requires_grad=True) if options.get("perSampleWeights") else None
    y = F.embedding_bag(idx, w, off, mode=options.get("mode", "mean"), per_sample_weights=psw,
                        include_last_offset=options.get("includeLastOffset", False), padding_idx=options.get("paddingIdx"))
    up = torch.randn(y.shape, dtype=torch.float64)
    y.backward(up)
    case = {"name": name, "weight": encode(w), "input": encode(idx), "offsets": None if off is None else encode(off), "options": options,
            "output": encode(y), "upstream": encode(up), "weightGrad": encode(w.grad)}
    if psw is not None:
        case["perSampleWeights"] = encode(psw)
        case["perSampleWeightsGrad"] = encode(psw.grad)
    bags.append(case)
out["bags"] = bags
dump("nn_sparse", out)
