"""Reference values for descent's random streams: torch.manual_seed(s) then rand/randn/randint/randperm.
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
dump("random", out)
