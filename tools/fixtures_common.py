"""Shared helpers for the fixture generators: tensors to JSON as {data, shape, dtype}; safetensors files."""
import json
import math
import os
import struct
import sys

import torch

try:  # the safetensors package where it is installed; else the format by hand (below), with a note
    import safetensors.torch as st
except ImportError:
    st = None

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


# safetensors by hand from the spec, where the safetensors package is not installed (it is not here):
# 8-byte little-endian u64 header size N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}},
# optional "__metadata__": {str: str}, then the byte buffer; offsets are relative to the buffer start. The
# codes are those safetensors.torch uses for each torch dtype; bf16 and f16 are written as their raw 16 bits.
ST_CODES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64", torch.bool: "BOOL",
            torch.float16: "F16", torch.bfloat16: "BF16"}
ST_TORCH = {code: dtype for dtype, code in ST_CODES.items()}


def raw_bytes(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().tobytes()  # numpy has no bfloat16; the bits are what the file holds
    return t.numpy().tobytes()  # numpy arrays are little-endian on x86


def safetensors_bytes(tensors, metadata=None):
    """The bytes of a .safetensors file, tensors in the given order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    buf = b""
    for name, t in tensors.items():
        raw = raw_bytes(t)
        header[name] = {"dtype": ST_CODES[t.dtype], "shape": list(t.shape), "data_offsets": [len(buf), len(buf) + len(raw)]}
        buf += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the reference writer pads the header with spaces to 8 bytes
    return struct.pack("<Q", len(text)) + text + buf


_noted = []


def _by_hand():
    """True where the safetensors package is missing; says so once (on stderr)."""
    if st is None and not _noted:
        _noted.append(True)
        print("note: the safetensors package is not installed; safetensors files are written and read by hand "
              "from the format's spec (tools/fixtures_common.py)", file=sys.stderr)
    return st is None


def write_safetensors(path, tensors, metadata=None):
    """safetensors.torch.save_file, or the same format by hand."""
    if not _by_hand():
        return st.save_file({k: t.detach().contiguous() for k, t in tensors.items()}, path, metadata)
    with open(path, "wb") as f:
        f.write(safetensors_bytes(tensors, metadata))


def read_safetensors(path):
    """The tensors and metadata of a .safetensors file (safetensors.torch.load_file, or by hand)."""
    if not _by_hand():
        from safetensors import safe_open
        with safe_open(path, "pt") as f:
            return st.load_file(path), f.metadata()
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", None)
    data = raw[8 + n:]
    tensors = {}
    for k, v in header.items():
        begin, end = v["data_offsets"]
        dtype = ST_TORCH[v["dtype"]]
        chunk = bytearray(data[begin:end])
        if dtype in (torch.float16, torch.bfloat16):
            t = torch.frombuffer(chunk, dtype=torch.int16).view(dtype) if chunk else torch.zeros(0, dtype=dtype)
        else:
            t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.zeros(0, dtype=dtype)
        tensors[k] = t.reshape(v["shape"]).clone()
    return tensors, metadata
