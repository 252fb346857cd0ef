"""Reference values for descent's nn layers, initializers and state dicts, computed with PyTorch 1.13.
Run: /usr/bin/python3 tools/gen_nn_fixtures.py (writes test/fixtures/nn_*.json).

A layer case holds the constructor (in descent's camelCase form), the state dict, the inputs, a random
output gradient, and PyTorch's output, input gradients, parameter gradients and state after the step, all in float64."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from fixtures_common import dump, encode

torch.manual_seed(1234)


def enc_state(module):
    return {k: encode(v) for k, v in module.state_dict().items()}


def layer_case(module, ctor, inputs, train=True, grad=True, seed=None):
    """Runs module (in float64) on inputs once and records everything descent must reproduce."""
    module = module.double()
    module.train(train)
    state = enc_state(module)
    ins = [x.double().requires_grad_(grad) if x.is_floating_point() else x for x in inputs]
    if seed is not None:
        torch.manual_seed(seed)
    out = module(*ins)
    case = {"ctor": ctor, "train": train, "state": state, "inputs": [encode(x) for x in ins], "output": encode(out)}
    if seed is not None:
        case["seed"] = seed
    if grad:
        gout = torch.randn_like(out)
        out.backward(gout)
        case["gradOutput"] = encode(gout)
        case["inputGrads"] = [encode(x.grad) if x.grad is not None else None for x in ins]
        case["paramGrads"] = {k: encode(p.grad) for k, p in module.named_parameters() if p.grad is not None}
    case["stateAfter"] = enc_state(module)
    return case


def rn(*shape):
    return torch.randn(*shape, dtype=torch.float64)


# ---------- linear family, activations, shape layers ----------
lin = {}
lin["linear"] = layer_case(nn.Linear(5, 3), {"type": "Linear", "args": [5, 3]}, [rn(4, 5)])
lin["linear_3d_nobias"] = layer_case(nn.Linear(4, 2, bias=False), {"type": "Linear", "args": [4, 2], "options": {"bias": False}}, [rn(2, 3, 4)])
lin["linear_batch1"] = layer_case(nn.Linear(3, 6), {"type": "Linear", "args": [3, 6]}, [rn(1, 3)])
lin["linear_1d_input"] = layer_case(nn.Linear(3, 2), {"type": "Linear", "args": [3, 2]}, [rn(3)])
lin["bilinear"] = layer_case(nn.Bilinear(3, 4, 2), {"type": "Bilinear", "args": [3, 4, 2]}, [rn(5, 3), rn(5, 4)])
lin["identity"] = layer_case(nn.Identity(), {"type": "Identity", "args": []}, [rn(2, 3)])
lin["flatten"] = layer_case(nn.Flatten(), {"type": "Flatten", "args": []}, [rn(2, 3, 2, 2)])
lin["flatten_range"] = layer_case(nn.Flatten(0, 1), {"type": "Flatten", "args": [0, 1]}, [rn(2, 3, 4)])
lin["unflatten"] = layer_case(nn.Unflatten(1, (2, 3)), {"type": "Unflatten", "args": [1, [2, 3]]}, [rn(2, 6)])
acts = {
    "ReLU": (nn.ReLU(), []), "LeakyReLU": (nn.LeakyReLU(0.2), [0.2]), "ELU": (nn.ELU(0.7), [0.7]),
    "GELU": (nn.GELU(), []), "GELU_tanh": (nn.GELU("tanh"), ["tanh"]), "SiLU": (nn.SiLU(), []), "Tanh": (nn.Tanh(), []),
    "Sigmoid": (nn.Sigmoid(), []), "Softplus": (nn.Softplus(2.0, 1.0), [2.0, 1.0]), "Softmax": (nn.Softmax(1), [1]),
    "LogSoftmax": (nn.LogSoftmax(-1), [-1]),
}
for key, (m, args) in acts.items():
    lin["act_" + key] = layer_case(m, {"type": key.split("_")[0], "args": args}, [rn(3, 5) * 2])
dump("nn_linear", lin)

# ---------- normalization and dropout ----------
norm = {}
norm["batchnorm1d_train"] = layer_case(nn.BatchNorm1d(4), {"type": "BatchNorm1d", "args": [4]}, [rn(6, 4) * 2 + 1])
norm["batchnorm1d_3d_train"] = layer_case(nn.BatchNorm1d(3, momentum=0.3), {"type": "BatchNorm1d", "args": [3], "options": {"momentum": 0.3}}, [rn(2, 3, 5)])
bn = nn.BatchNorm1d(3, momentum=None)
with torch.no_grad():
    bn.running_mean.copy_(torch.tensor([0.5, -1.0, 2.0])); bn.running_var.copy_(torch.tensor([2.0, 0.5, 1.5])); bn.num_batches_tracked.fill_(3)
norm["batchnorm1d_cumulative"] = layer_case(bn, {"type": "BatchNorm1d", "args": [3], "options": {"momentum": None}}, [rn(4, 3)])
bn = nn.BatchNorm2d(3, affine=True)
with torch.no_grad():
    bn.running_mean.copy_(torch.tensor([0.5, -1.0, 2.0])); bn.running_var.copy_(torch.tensor([2.0, 0.5, 1.5]))
    bn.weight.copy_(torch.tensor([1.5, 0.5, -1.0])); bn.bias.copy_(torch.tensor([0.1, 0.2, 0.3]))
norm["batchnorm2d_eval"] = layer_case(bn, {"type": "BatchNorm2d", "args": [3]}, [rn(2, 3, 4, 5)], train=False)
norm["batchnorm2d_train"] = layer_case(nn.BatchNorm2d(3), {"type": "BatchNorm2d", "args": [3]}, [rn(2, 3, 4, 5)])
norm["batchnorm2d_batch1"] = layer_case(nn.BatchNorm2d(2, affine=False), {"type": "BatchNorm2d", "args": [2], "options": {"affine": False}}, [rn(1, 2, 3, 3)])
norm["batchnorm2d_norunning"] = layer_case(nn.BatchNorm2d(2, track_running_stats=False), {"type": "BatchNorm2d", "args": [2], "options": {"trackRunningStats": False}}, [rn(3, 2, 2, 2)], train=False)
ln = nn.LayerNorm(5)
with torch.no_grad():
    ln.weight.copy_(rn(5)); ln.bias.copy_(rn(5))
norm["layernorm"] = layer_case(ln, {"type": "LayerNorm", "args": [5]}, [rn(2, 3, 5)])
ln = nn.LayerNorm([3, 4], eps=1e-3)
with torch.no_grad():
    ln.weight.copy_(rn(3, 4)); ln.bias.copy_(rn(3, 4))
norm["layernorm_2d"] = layer_case(ln, {"type": "LayerNorm", "args": [[3, 4]], "options": {"eps": 1e-3}}, [rn(2, 3, 4)])
norm["layernorm_noaffine"] = layer_case(nn.LayerNorm(4, elementwise_affine=False), {"type": "LayerNorm", "args": [4], "options": {"elementwiseAffine": False}}, [rn(1, 4)])
gn = nn.GroupNorm(2, 6)
with torch.no_grad():
    gn.weight.copy_(rn(6)); gn.bias.copy_(rn(6))
norm["groupnorm"] = layer_case(gn, {"type": "GroupNorm", "args": [2, 6]}, [rn(2, 6, 3, 2)])
norm["groupnorm_3d"] = layer_case(nn.GroupNorm(3, 3, affine=False), {"type": "GroupNorm", "args": [3, 3], "options": {"affine": False}}, [rn(2, 3, 4)])
norm["dropout_train"] = layer_case(nn.Dropout(0.3), {"type": "Dropout", "args": [0.3]}, [rn(4, 10)], seed=7)
norm["dropout_eval"] = layer_case(nn.Dropout(0.3), {"type": "Dropout", "args": [0.3]}, [rn(4, 10)], train=False)
dump("nn_norm", norm)

# ---------- convolutions ----------
conv = {}


def conv_case(key, m, ctor, shape, train=True):
    conv[key] = layer_case(m, ctor, [rn(*shape)], train=train)


conv_case("conv2d_basic", nn.Conv2d(2, 3, 3), {"type": "Conv2d", "args": [2, 3, 3]}, (2, 2, 5, 5))
conv_case("conv2d_stride_pad", nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2)),
          {"type": "Conv2d", "args": [3, 4, [3, 2]], "options": {"stride": [2, 1], "padding": [1, 2]}}, (1, 3, 7, 6))
conv_case("conv2d_dilation", nn.Conv2d(2, 2, 3, dilation=2, padding=1, bias=False),
          {"type": "Conv2d", "args": [2, 2, 3], "options": {"dilation": 2, "padding": 1, "bias": False}}, (2, 2, 7, 8))
conv_case("conv2d_groups", nn.Conv2d(4, 6, 2, groups=2, stride=2),
          {"type": "Conv2d", "args": [4, 6, 2], "options": {"groups": 2, "stride": 2}}, (2, 4, 5, 5))
conv_case("conv2d_depthwise", nn.Conv2d(3, 3, 3, groups=3, padding=1),
          {"type": "Conv2d", "args": [3, 3, 3], "options": {"groups": 3, "padding": 1}}, (1, 3, 4, 4))
conv_case("conv2d_same_even", nn.Conv2d(2, 3, (4, 3), padding="same", dilation=(1, 2)),
          {"type": "Conv2d", "args": [2, 3, [4, 3]], "options": {"padding": "same", "dilation": [1, 2]}}, (1, 2, 6, 7))
conv_case("conv2d_valid", nn.Conv2d(1, 2, 2, padding="valid"), {"type": "Conv2d", "args": [1, 2, 2], "options": {"padding": "valid"}}, (3, 1, 3, 4))
conv_case("conv2d_unbatched", nn.Conv2d(2, 3, 2, stride=2), {"type": "Conv2d", "args": [2, 3, 2], "options": {"stride": 2}}, (2, 4, 5))
conv_case("conv2d_reflect", nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode="reflect"),
          {"type": "Conv2d", "args": [2, 3, 3], "options": {"padding": [2, 1], "paddingMode": "reflect"}}, (1, 2, 4, 5))
conv_case("conv2d_replicate_same", nn.Conv2d(1, 2, (2, 3), padding="same", padding_mode="replicate"),
          {"type": "Conv2d", "args": [1, 2, [2, 3]], "options": {"padding": "same", "paddingMode": "replicate"}}, (2, 1, 3, 4))
conv_case("conv1d_circular", nn.Conv1d(2, 2, 3, padding=2, padding_mode="circular", stride=2),
          {"type": "Conv1d", "args": [2, 2, 3], "options": {"padding": 2, "paddingMode": "circular", "stride": 2}}, (2, 2, 5))
conv_case("conv1d_basic", nn.Conv1d(3, 4, 3), {"type": "Conv1d", "args": [3, 4, 3]}, (2, 3, 8))
conv_case("conv1d_stride_dil_groups", nn.Conv1d(4, 2, 2, stride=2, padding=1, dilation=2, groups=2),
          {"type": "Conv1d", "args": [4, 2, 2], "options": {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}}, (1, 4, 9))
conv_case("conv1d_same", nn.Conv1d(2, 2, 4, padding="same"), {"type": "Conv1d", "args": [2, 2, 4], "options": {"padding": "same"}}, (2, 2, 5))
conv_case("convt2d_unbatched", nn.ConvTranspose2d(2, 2, 2, stride=2), {"type": "ConvTranspose2d", "args": [2, 2, 2], "options": {"stride": 2}}, (2, 2, 3))
conv_case("convt2d_basic", nn.ConvTranspose2d(3, 2, 3), {"type": "ConvTranspose2d", "args": [3, 2, 3]}, (2, 3, 3, 4))
conv_case("convt2d_stride_pad_outpad", nn.ConvTranspose2d(2, 3, (3, 2), stride=2, padding=1, output_padding=1),
          {"type": "ConvTranspose2d", "args": [2, 3, [3, 2]], "options": {"stride": 2, "padding": 1, "outputPadding": 1}}, (1, 2, 3, 3))
conv_case("convt2d_groups_dilation", nn.ConvTranspose2d(4, 2, 2, groups=2, dilation=2, stride=(1, 2), bias=False),
          {"type": "ConvTranspose2d", "args": [4, 2, 2], "options": {"groups": 2, "dilation": 2, "stride": [1, 2], "bias": False}}, (2, 4, 3, 2))
pads = {}
for key, (shape, padding, mode) in {
    "reflect_2d": ((1, 2, 3, 4), (2, 1, 1, 2), "reflect"),
    "replicate_1d": ((2, 3, 4), (3, 1), "replicate"),
    "circular_2d": ((1, 1, 3, 3), (1, 3, 2, 0), "circular"),
    "constant": ((2, 3), (1, 2), "constant"),
}.items():
    x = rn(*shape).requires_grad_(True)
    y = F.pad(x, padding, mode=mode, value=0.5) if mode == "constant" else F.pad(x, padding, mode=mode)
    g = torch.randn_like(y)
    y.backward(g)
    pads[key] = {"padding": list(padding), "mode": mode, "input": encode(x), "output": encode(y), "gradOutput": encode(g), "inputGrad": encode(x.grad)}
conv["pad"] = pads
dump("nn_conv", conv)

# ---------- pooling and embedding ----------
pool = {}


def pool_case(key, m, ctor, x):
    pool[key] = layer_case(m, ctor, [x])


pool_case("maxpool2d_basic", nn.MaxPool2d(2), {"type": "MaxPool2d", "args": [2]}, rn(2, 2, 4, 5))
pool_case("maxpool2d_stride_pad", nn.MaxPool2d((3, 2), stride=(2, 1), padding=1), {"type": "MaxPool2d", "args": [[3, 2]], "options": {"stride": [2, 1], "padding": 1}}, rn(1, 2, 6, 5))
pool_case("maxpool2d_dilation_ceil", nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True), {"type": "MaxPool2d", "args": [2], "options": {"stride": 2, "dilation": 2, "ceilMode": True}}, rn(1, 1, 7, 6))
pool_case("maxpool2d_ceil_pad", nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), {"type": "MaxPool2d", "args": [3], "options": {"stride": 2, "padding": 1, "ceilMode": True}}, rn(2, 1, 6, 6))
pool_case("maxpool1d", nn.MaxPool1d(3, stride=2, padding=1), {"type": "MaxPool1d", "args": [3], "options": {"stride": 2, "padding": 1}}, rn(2, 3, 8))
pool_case("maxpool1d_ceil", nn.MaxPool1d(2, ceil_mode=True), {"type": "MaxPool1d", "args": [2], "options": {"ceilMode": True}}, rn(1, 2, 7))
pool_case("avgpool2d_basic", nn.AvgPool2d(2), {"type": "AvgPool2d", "args": [2]}, rn(2, 2, 4, 6))
pool_case("avgpool2d_pad_include", nn.AvgPool2d(3, stride=2, padding=1), {"type": "AvgPool2d", "args": [3], "options": {"stride": 2, "padding": 1}}, rn(1, 2, 5, 6))
pool_case("avgpool2d_pad_exclude", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), {"type": "AvgPool2d", "args": [3], "options": {"stride": 2, "padding": 1, "countIncludePad": False}}, rn(1, 2, 5, 6))
pool_case("avgpool2d_ceil", nn.AvgPool2d((2, 3), stride=2, ceil_mode=True), {"type": "AvgPool2d", "args": [[2, 3]], "options": {"stride": 2, "ceilMode": True}}, rn(1, 1, 5, 7))
pool_case("avgpool2d_ceil_pad_exclude", nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), {"type": "AvgPool2d", "args": [3], "options": {"stride": 2, "padding": 1, "ceilMode": True, "countIncludePad": False}}, rn(1, 1, 6, 6))
pool_case("avgpool2d_divisor", nn.AvgPool2d(2, divisor_override=3), {"type": "AvgPool2d", "args": [2], "options": {"divisorOverride": 3}}, rn(1, 1, 4, 4))
pool_case("adaptiveavgpool2d_1", nn.AdaptiveAvgPool2d(1), {"type": "AdaptiveAvgPool2d", "args": [1]}, rn(2, 3, 5, 4))
pool_case("adaptiveavgpool2d_uneven", nn.AdaptiveAvgPool2d((3, 2)), {"type": "AdaptiveAvgPool2d", "args": [[3, 2]]}, rn(1, 2, 7, 5))
pool_case("adaptiveavgpool2d_none", nn.AdaptiveAvgPool2d((None, 3)), {"type": "AdaptiveAvgPool2d", "args": [[None, 3]]}, rn(1, 1, 4, 6))
emb = nn.Embedding(6, 3, padding_idx=2)
pool["embedding_padding"] = layer_case(emb, {"type": "Embedding", "args": [6, 3], "options": {"paddingIdx": 2}}, [torch.tensor([[0, 2, 5], [2, 2, 1]])])
emb = nn.Embedding(5, 4, max_norm=1.0)
pool["embedding_maxnorm"] = layer_case(emb, {"type": "Embedding", "args": [5, 4], "options": {"maxNorm": 1.0}}, [torch.tensor([1, 3, 1, 4])])
x = torch.tensor([[[[1.0, 3.0, 3.0, 0.0], [2.0, 0.0, 1.0, 5.0], [4.0, 4.0, 0.0, 0.0]]]], dtype=torch.float64)
v, i = F.max_pool2d(x, 2, stride=1, padding=1, return_indices=True)
pool["maxpool_indices_ties"] = {"input": encode(x), "values": encode(v), "indices": encode(i)}
x = rn(2, 3, 9)
v, i = F.max_pool1d(x, 3, stride=2, dilation=2, return_indices=True)
pool["maxpool1d_indices"] = {"input": encode(x), "values": encode(v), "indices": encode(i)}
dump("nn_pool", pool)

# ---------- default initialization and init functions with the same seed ----------
ini = {}


def init_case(key, seed, make, ctor):
    torch.manual_seed(seed)
    m = make()
    ini[key] = {"seed": seed, "ctor": ctor, "state": enc_state(m)}


init_case("Linear", 0, lambda: nn.Linear(5, 3), {"type": "Linear", "args": [5, 3]})
init_case("Linear_big", 3, lambda: nn.Linear(40, 30), {"type": "Linear", "args": [40, 30]})
init_case("Conv2d", 1, lambda: nn.Conv2d(4, 6, (3, 2), groups=2), {"type": "Conv2d", "args": [4, 6, [3, 2]], "options": {"groups": 2}})
init_case("Conv1d", 2, lambda: nn.Conv1d(3, 5, 4), {"type": "Conv1d", "args": [3, 5, 4]})
init_case("ConvTranspose2d", 4, lambda: nn.ConvTranspose2d(3, 4, 3, groups=1), {"type": "ConvTranspose2d", "args": [3, 4, 3]})
init_case("Bilinear", 5, lambda: nn.Bilinear(3, 4, 2), {"type": "Bilinear", "args": [3, 4, 2]})
init_case("Embedding", 6, lambda: nn.Embedding(10, 4, padding_idx=0), {"type": "Embedding", "args": [10, 4], "options": {"paddingIdx": 0}})
init_case("Embedding_small", 6, lambda: nn.Embedding(3, 2), {"type": "Embedding", "args": [3, 2]})
init_case("BatchNorm2d", 0, lambda: nn.BatchNorm2d(3), {"type": "BatchNorm2d", "args": [3]})
init_case("LayerNorm", 0, lambda: nn.LayerNorm([2, 3]), {"type": "LayerNorm", "args": [[2, 3]]})
fns = {}


def fn_case(key, seed, shape, fill, dtype=torch.float32):
    torch.manual_seed(seed)
    t = torch.empty(*shape, dtype=dtype)
    fill(t)
    fns[key] = {"seed": seed, "shape": list(shape), "dtype": "float64" if dtype == torch.float64 else "float32", "value": encode(t)}


fn_case("uniform_", 0, (3, 4), lambda t: nn.init.uniform_(t, -2, 3))
fn_case("normal_", 0, (5, 4), lambda t: nn.init.normal_(t, 1, 0.5))
fn_case("xavierUniform_", 1, (4, 5), lambda t: nn.init.xavier_uniform_(t, gain=2.0))
fn_case("xavierNormal_", 1, (4, 5), lambda t: nn.init.xavier_normal_(t))
fn_case("kaimingUniform_", 2, (6, 3, 2, 2), lambda t: nn.init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"))
fn_case("kaimingNormal_", 2, (6, 3, 2, 2), lambda t: nn.init.kaiming_normal_(t, a=0.1))
fn_case("truncNormal_", 3, (40,), lambda t: nn.init.trunc_normal_(t, mean=0.5, std=2.0, a=-1.0, b=3.0))
fn_case("truncNormal_f64", 3, (30,), lambda t: nn.init.trunc_normal_(t), dtype=torch.float64)
fn_case("orthogonal_tall", 4, (6, 4), lambda t: nn.init.orthogonal_(t))
fn_case("orthogonal_wide", 4, (3, 2, 4), lambda t: nn.init.orthogonal_(t, gain=1.5))
fn_case("orthogonal_f64", 5, (5, 5), lambda t: nn.init.orthogonal_(t), dtype=torch.float64)
fn_case("eye_", 0, (3, 5), lambda t: nn.init.eye_(t))
ini["functions"] = fns
ini["gains"] = {k: nn.init.calculate_gain(*v) for k, v in {
    "linear": ["linear"], "sigmoid": ["sigmoid"], "tanh": ["tanh"], "relu": ["relu"], "leakyRelu": ["leaky_relu"],
    "leakyRelu_0.2": ["leaky_relu", 0.2], "selu": ["selu"], "conv2d": ["conv2d"]}.items()}
dump("nn_init", ini)


# ---------- a whole model: same state dict, same output ----------
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 6, 3, stride=2, groups=2)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(6, 5), nn.GELU(), nn.Dropout(0.2), nn.Linear(5, 3))

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.conv1(x))))
        x = F.adaptive_avg_pool2d(torch.relu(self.conv2(x)), 1)
        return self.head(x)


net = Net().double()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
for _ in range(3):  # a few steps so running statistics and weights are not the defaults
    opt.zero_grad()
    net(rn(4, 1, 8, 8)).square().mean().backward()
    opt.step()
net.eval()
x = rn(2, 1, 8, 8)
model = {"state": enc_state(net), "input": encode(x), "output": encode(net(x)), "keys": list(net.state_dict().keys())}
dump("nn_model", model)
