"""Shared helpers for the fixture generators: tensors to JSON as {data, shape, dtype}."""
import json
import math
import os

import torch

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int32", torch.int32: "int32", torch.bool: "bool"}


def number(v):
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


def encode(t):
    """A tensor as {data: flat list, shape, dtype}; NaN and infinities as strings (JSON has none)."""
    t = t.detach()
    return {"data": [number(v) for v in t.reshape(-1).tolist()], "shape": list(t.shape), "dtype": DTYPES[t.dtype]}


def dump(name, obj):
    path = os.path.join(FIXTURES, name + ".json")
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", os.path.relpath(path))
