"""Reference values for descent's random streams: torch.manual_seed(s) then rand/randn/randint/randperm,
multinomial (with and without replacement, float32 and float64 weights) and bernoulli.
Run: /usr/bin/python3 tools/gen_random_fixtures.py (writes test/fixtures/random.json)."""
import torch
from fixtures_common import dump, encode

out = {}
torch.manual_seed(0); out["rand_f32"] = encode(torch.rand(7))
torch.manual_seed(0); out["rand_f64"] = encode(torch.rand(5, dtype=torch.float64))
torch.manual_seed(0); out["randn_5"] = encode(torch.randn(5))
torch.manual_seed(0); out["randn_37"] = encode(torch.randn(37))
torch.manual_seed(0); out["randn_f64_48"] = encode(torch.randn(3, 16, dtype=torch.float64))
torch.manual_seed(0); out["randint_8"] = encode(torch.randint(0, 10, (8,)))
torch.manual_seed(0); out["randint_2p40"] = encode(torch.randint(0, 2**40, (4,), dtype=torch.float64))
torch.manual_seed(0); out["randperm_10"] = encode(torch.randperm(10))

# multinomial: weights drawn from their own generator, then torch.manual_seed(0) and the draw
weights = torch.Generator().manual_seed(123)
w65 = torch.rand(65, generator=weights) ** 3  # skewed, like a softmax over a vocabulary
w2d = torch.rand(4, 10, generator=weights)
w2d[1, 3] = 0  # a category that must never be drawn
sparse_row = torch.tensor([0.0, 0.0, 1.0, 0.0, 2.0])
multinomial = {}
for name, probs, n, replacement in [
    ("vocab_one", w65, 1, False), ("vocab_1000_replacement", w65, 1000, True), ("vocab_one_f64", w65.double(), 1, False),
    ("rows_3_without", w2d, 3, False), ("rows_10_without", w2d[[0, 2, 3]], 10, False), ("rows_25_replacement", w2d, 25, True),
    ("rows_25_replacement_f64", w2d.double(), 25, True), ("rows_6_without_f64", w2d.double(), 6, False),
    ("sparse_row_2_without", sparse_row, 2, False), ("sparse_row_500_replacement", sparse_row, 500, True),
    ("rows_one_replacement", w2d, 1, True),
]:
    torch.manual_seed(0)
    multinomial[name] = {"probs": encode(probs), "numSamples": n, "replacement": replacement,
                         "samples": encode(torch.multinomial(probs, n, replacement))}
out["multinomial"] = multinomial
p32 = torch.rand(40, generator=weights)
bern = {"probs_f32": encode(p32), "probs_f64": encode(p32.double())}
torch.manual_seed(0); bern["tensor_f32"] = encode(torch.bernoulli(p32))
torch.manual_seed(0); bern["tensor_f64"] = encode(torch.bernoulli(p32.double()))
torch.manual_seed(0); bern["scalar_0_3"] = encode(torch.bernoulli(torch.zeros(40), 0.3))
out["bernoulli"] = bern
dump("random", out)
