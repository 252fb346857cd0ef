"""PyTorch <-> descent state dicts, both ways, for every layer of nn that holds weights or buffers (issue 15).

Files are written and read with the safetensors package where it is installed; it is not installed here, so
fixtures_common.py writes and reads the format by hand from its spec (a JSON header and raw little-endian bytes),
with the dtype codes safetensors.torch.save_file uses (num_batches_tracked is int64, "I64", as in any PyTorch file),
and says so.

PyTorch -> descent (run first):
  /usr/bin/python3 tools/gen_interop_fixtures.py
For every case: a PyTorch module built from its spec, its weights moved off their initial values (noise, and
training passes for BatchNorm's statistics), then its state_dict written to test/fixtures/interop/torch_<case>.safetensors
and its eval-mode outputs on a fixed input to test/fixtures/interop_torch.json. descent's test loads each file with
loadStateDict (strict) into the same layer built from the same spec, and must give the same outputs (float32
tolerance). Also written: bf16 and f16 copies of two files (descent loads them as float32; the outputs recorded for
them are PyTorch's with the rounded weights), and a Hugging Face style sharded checkpoint (two shards and
model.safetensors.index.json).

descent -> PyTorch (CI has no torch, so this direction is recorded once and checked against the record):
  npm run build:test && node tools/write_descent_state_dicts.mjs
      descent builds every case from the same spec with a fixed seed, moves its weights off their initial values
      the same way (with descent's own random stream), and writes test/fixtures/interop/descent_<case>.safetensors
      and the inputs (descent_inputs.json).
  /usr/bin/python3 tools/gen_interop_fixtures.py --descent
      builds each PyTorch module with a different seed (so nothing comes from PyTorch's own initialization), loads
      descent's file with load_state_dict(strict=True) (a missing, unexpected or misshapen key is an error here),
      and records PyTorch's eval-mode outputs on descent's inputs in test/fixtures/interop_descent.json.
descent's test rebuilds each case from the seed, checks that it writes the file PyTorch loaded (the same header;
the values to the last bits, which the backend's kernels may round differently) and that its outputs on that file's
weights equal the outputs PyTorch recorded.
"""
import json
import os
import sys

import torch

from fixtures_common import FIXTURES, dump, encode, read_safetensors, safetensors_bytes, write_safetensors
from gen_train_fixtures import torch_recipe

INTEROP = os.path.join(FIXTURES, "interop")


def leaf(layer, *args, **kwargs):
    return {"layer": layer, "args": list(args), "kwargs": kwargs}


def randn(*shape):
    return {"shape": list(shape)}


def tokens(high, *shape):
    return {"shape": list(shape), "high": high}


# name, module spec, inputs. Specs are shared with descent's test (written to the fixture): a leaf layer is
# {layer, args, kwargs} with PyTorch's names (descent takes the kwargs in camelCase).
CASES = [
    ("linear", leaf("Linear", 5, 3), [randn(4, 5)]),
    ("bilinear", leaf("Bilinear", 3, 4, 2), [randn(5, 3), randn(5, 4)]),
    ("conv1d", leaf("Conv1d", 4, 6, 3, stride=2, padding=1, dilation=2, groups=2), [randn(2, 4, 11)]),
    ("conv2d", leaf("Conv2d", 3, 4, 3, padding="same", padding_mode="reflect", bias=False), [randn(2, 3, 7, 7)]),
    ("conv_transpose2d", leaf("ConvTranspose2d", 4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), [randn(2, 4, 5, 4)]),
    ("batch_norm1d", leaf("BatchNorm1d", 5), [randn(6, 5)]),
    ("batch_norm2d", leaf("BatchNorm2d", 3, momentum=None, eps=1e-3), [randn(4, 3, 5, 5)]),
    ("layer_norm", leaf("LayerNorm", [4, 5]), [randn(2, 3, 4, 5)]),
    ("group_norm", leaf("GroupNorm", 2, 6), [randn(3, 6, 4, 4)]),
    ("embedding", leaf("Embedding", 10, 4, padding_idx=0), [tokens(10, 2, 5)]),
    ("embedding_bag", leaf("EmbeddingBag", 10, 4, mode="sum"), [tokens(10, 3, 4)]),
    ("rnn", leaf("RNN", 4, 5, num_layers=2, nonlinearity="relu", bidirectional=True), [randn(6, 2, 4)]),
    ("lstm", leaf("LSTM", 4, 5, num_layers=2, batch_first=True, bidirectional=True), [randn(2, 6, 4)]),
    ("lstm_proj", leaf("LSTM", 4, 6, proj_size=3), [randn(5, 2, 4)]),
    ("gru", leaf("GRU", 4, 5, num_layers=2, bias=False), [randn(6, 2, 4)]),
    ("rnn_cell", leaf("RNNCell", 4, 5), [randn(3, 4), randn(3, 5)]),
    ("lstm_cell", leaf("LSTMCell", 4, 5), [randn(3, 4)]),
    ("gru_cell", leaf("GRUCell", 4, 5), [randn(3, 4), randn(3, 5)]),
    ("multihead_attention", leaf("MultiheadAttention", 8, 2, batch_first=True), [randn(2, 5, 8), randn(2, 6, 8), randn(2, 6, 8)]),
    ("multihead_attention_kdim_vdim", leaf("MultiheadAttention", 8, 2, kdim=5, vdim=3, add_bias_kv=True), [randn(4, 2, 8), randn(6, 2, 5), randn(6, 2, 3)]),
    ("transformer_encoder_layer", leaf("TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0, activation="gelu", norm_first=True, batch_first=True), [randn(2, 5, 8)]),
    ("transformer_encoder", {"layer": "TransformerEncoder", "encoder_layer": leaf("TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0),
                             "num_layers": 2, "norm": leaf("LayerNorm", 8)}, [randn(5, 2, 8)]),
    ("transformer_decoder_layer", leaf("TransformerDecoderLayer", 8, 2, dim_feedforward=16, dropout=0.0, batch_first=True), [randn(2, 3, 8), randn(2, 5, 8)]),
    ("transformer_decoder", {"layer": "TransformerDecoder", "decoder_layer": leaf("TransformerDecoderLayer", 8, 2, dim_feedforward=16, dropout=0.0),
                             "num_layers": 2, "norm": leaf("LayerNorm", 8)}, [randn(3, 2, 8), randn(5, 2, 8)]),
    ("transformer", leaf("Transformer", 8, 2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16, dropout=0.0), [randn(5, 2, 8), randn(3, 2, 8)]),
    # the layers without weights, in a stack whose keys skip their indices ('0.weight', '1.running_mean', '6.weight', ...)
    ("sequential", {"layer": "Sequential", "children": [
        leaf("Conv2d", 3, 4, 3, padding=1), leaf("BatchNorm2d", 4), leaf("ReLU"), leaf("MaxPool2d", 2), leaf("Dropout", 0.2),
        leaf("AvgPool2d", 2), leaf("Flatten"), leaf("Linear", 16, 8), leaf("GELU"), leaf("LayerNorm", 8), leaf("SiLU"), leaf("Linear", 8, 3), leaf("LogSoftmax", -1),
    ]}, [randn(2, 3, 8, 8)]),
    ("mnist_cnn", {"layer": "recipe", "name": "mnist-cnn"}, [randn(2, 1, 28, 28)]),
]
# the recipe's 100k-weight MLP is checked in the direction that moves descent models to PyTorch only
DESCENT_ONLY = [("mnist_mlp", {"layer": "recipe", "name": "mnist-mlp"}, [randn(2, 1, 28, 28)])]


def build(spec):
    nn = torch.nn
    kind = spec["layer"]
    if kind == "Sequential":
        return nn.Sequential(*[build(c) for c in spec["children"]])
    if kind == "TransformerEncoder":
        return nn.TransformerEncoder(build(spec["encoder_layer"]), spec["num_layers"], norm=build(spec["norm"]), enable_nested_tensor=False)
    if kind == "TransformerDecoder":
        return nn.TransformerDecoder(build(spec["decoder_layer"]), spec["num_layers"], norm=build(spec["norm"]))
    if kind == "recipe":
        return torch_recipe(spec["name"])
    return getattr(nn, kind)(*spec["args"], **spec["kwargs"])


def make_inputs(specs):
    return [torch.randint(0, s["high"], s["shape"]) if "high" in s else torch.randn(*s["shape"]) for s in specs]


def flat(value):
    """The tensors of a forward's result, in order (tuples nested, None skipped), as descent flattens them."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in flat(v)]
    return []


def has_batch_norm(m):
    return any(isinstance(x, torch.nn.modules.batchnorm._BatchNorm) for x in m.modules())


def moved(m, input_specs):
    """Weights off their initial values: noise on every parameter, and BatchNorm statistics from training passes."""
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.1 * torch.randn_like(p))
        if has_batch_norm(m):
            m.train()
            for _ in range(3):
                m(*[x.mul(2).add(0.5) if x.is_floating_point() else x for x in make_inputs(input_specs)])
    return m.eval()


def outputs(m, inputs):
    with torch.no_grad():
        return [encode(t) for t in flat(m(*inputs))]


def torch_to_descent():
    os.makedirs(INTEROP, exist_ok=True)
    cases = []
    for i, (name, spec, input_specs) in enumerate(CASES):
        torch.manual_seed(100 + i)
        m = moved(build(spec), input_specs)
        inputs = make_inputs(input_specs)
        file = f"torch_{name}.safetensors"
        write_safetensors(os.path.join(INTEROP, file), m.state_dict(), {"format": "pt"})
        cases.append({"name": name, "spec": spec, "file": file, "inputs": [encode(x) for x in inputs], "outputs": outputs(m, inputs)})
        # half-precision copies: descent reads them as float32; PyTorch's outputs with the same rounded weights
        if name in ("linear", "conv2d"):
            for half, code in ((torch.bfloat16, "bf16"), (torch.float16, "f16")):
                sd = {k: v.to(half) if v.is_floating_point() else v for k, v in m.state_dict().items()}
                rounded = build(spec)
                rounded.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in sd.items()}, strict=True)
                rounded.eval()
                half_file = f"torch_{name}_{code}.safetensors"
                write_safetensors(os.path.join(INTEROP, half_file), sd, {"format": "pt"})
                cases.append({"name": f"{name}_{code}", "spec": spec, "file": half_file, "inputs": [encode(x) for x in inputs], "outputs": outputs(rounded, inputs)})
        # a Hugging Face style sharded checkpoint: shards and an index mapping every key to its shard
        if name == "sequential":
            sd = m.state_dict()
            keys = list(sd)
            shards = [keys[: len(keys) // 2], keys[len(keys) // 2:]]
            weight_map, total = {}, 0
            folder = os.path.join(INTEROP, "torch_sequential_sharded")
            os.makedirs(folder, exist_ok=True)
            for s, shard_keys in enumerate(shards):
                shard = f"model-{s + 1:05d}-of-{len(shards):05d}.safetensors"
                write_safetensors(os.path.join(folder, shard), {k: sd[k] for k in shard_keys}, {"format": "pt"})
                weight_map.update({k: shard for k in shard_keys})
                total += sum(sd[k].numel() * sd[k].element_size() for k in shard_keys)
            with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
                json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
                f.write("\n")
            cases.append({"name": "sequential_sharded", "spec": spec, "file": "torch_sequential_sharded/model.safetensors.index.json",
                          "inputs": [encode(x) for x in inputs], "outputs": outputs(m, inputs)})
    # the cases of the other direction, for descent's writer (tools/write_descent_state_dicts.mjs)
    dump("interop_torch", {"cases": cases, "descent_cases": [{"name": n, "spec": sp, "inputs": i} for n, sp, i in CASES + DESCENT_ONLY]})


def descent_to_torch():
    with open(os.path.join(INTEROP, "descent_inputs.json")) as f:
        recorded_inputs = json.load(f)
    results = {}
    for name, spec, _ in CASES + DESCENT_ONLY:
        torch.manual_seed(12345)  # not descent's seed: every value must come from descent's file
        m = build(spec)
        tensors, metadata = read_safetensors(os.path.join(INTEROP, f"descent_{name}.safetensors"))
        m.load_state_dict(tensors, strict=True)
        m.eval()
        inputs = [torch.tensor(x["data"], dtype=torch.long if x["dtype"] == "int32" else torch.float32).reshape(x["shape"]) for x in recorded_inputs[name]]
        results[name] = {"metadata": metadata, "outputs": outputs(m, inputs)}
        print("loaded", name, "strict: ok")
    dump("interop_descent", results)


if __name__ == "__main__":
    if sys.argv[1:] == ["--descent"]:
        descent_to_torch()
    else:
        torch_to_descent()
