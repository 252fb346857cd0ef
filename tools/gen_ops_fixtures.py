"""Reference values for every op: forward outputs and input gradients for a fixed random upstream gradient.

One case table (CASES) drives everything: each case names an op (a key of PY_OPS here and of the op table in
test/ops/op-table.ts), its params and its input specs. For each case we draw the inputs, run the op in torch,
then torch.autograd.grad of the floating outputs against a random upstream gradient.
Run: /usr/bin/python3 tools/gen_ops_fixtures.py  (writes test/fixtures/ops_*.json)
"""
import torch
import torch.nn.functional as F
from fixtures_common import dump, encode

F64 = torch.float64
F32 = torch.float32
TORCH_DTYPE = {"float64": F64, "float32": F32, "int32": torch.int32, "int64": torch.int64, "bool": torch.bool}


# ---- input specs ----
def inp(shape, init="randn", dtype=None, grad=None, **kw):
    """An input: shape, how to draw it, dtype, and whether it requires grad (floats do by default)."""
    if dtype is None:
        dtype = {"bool": "bool", "index": "int64"}.get(init, "float64")
    if grad is None:
        grad = dtype in ("float32", "float64")
    return {"shape": list(shape), "init": init, "dtype": dtype, "grad": grad, **kw}


def draw(spec):
    shape, init, dtype = spec["shape"], spec["init"], TORCH_DTYPE[spec["dtype"]]
    if init == "randn":
        t = torch.randn(shape, dtype=F64)
    elif init == "pos":  # away from 0 for log, sqrt, div, pow bases
        t = torch.rand(shape, dtype=F64) * 1.5 + 0.25
    elif init == "unit":  # inside (-1, 1) for asin/acos
        t = torch.rand(shape, dtype=F64) * 1.6 - 0.8
    elif init == "ties":  # small integers: ties for comparisons, max/min and maximum
        t = torch.randint(-2, 3, shape).to(F64)
    elif init == "index":  # integer indices in [0, high)
        t = torch.randint(0, spec["high"], shape)
    elif init == "bool":
        t = torch.randn(shape) > 0
    elif init == "nonzero":  # |x| >= 0.3, away from kinks at 0 (abs, relu, sign...)
        t = torch.randn(shape, dtype=F64)
        t = torch.where(t.abs() < 0.3, torch.sign(t + 1e-12) * 0.3 + t, t)
    elif init == "values":
        t = torch.tensor(spec["values"], dtype=F64).reshape(shape)
    else:
        raise ValueError(init)
    return t.to(dtype)


# ---- the ops, as torch computes them; params p mirror the TS side ----
def slice_(x, p):
    idx = [slice(None)] * x.dim()
    idx[p["dim"]] = slice(p.get("start", 0), p.get("end"), p.get("step", 1))
    return x[tuple(idx)]


def norm_(x, p):
    if p.get("p") == "fro":
        return torch.norm(x, "fro", dim=p.get("dim"), keepdim=p.get("keepdim", False))
    order = p.get("p", 2)
    order = {"inf": float("inf"), "-inf": float("-inf")}.get(order, order)
    return torch.linalg.vector_norm(x, ord=order, dim=p.get("dim"), keepdim=p.get("keepdim", False))


def reduce_kw(p):
    kw = {}
    if "dim" in p:
        kw["dim"] = p["dim"]
    if p.get("keepdim"):
        kw["keepdim"] = True
    return kw


UNARY = {
    "neg": torch.neg, "abs": torch.abs, "sign": torch.sign, "exp": torch.exp, "expm1": torch.expm1,
    "log": torch.log, "log1p": torch.log1p, "log2": torch.log2, "log10": torch.log10, "sqrt": torch.sqrt,
    "rsqrt": torch.rsqrt, "reciprocal": torch.reciprocal, "square": torch.square, "sin": torch.sin,
    "cos": torch.cos, "tan": torch.tan, "asin": torch.asin, "acos": torch.acos, "atan": torch.atan,
    "sinh": torch.sinh, "cosh": torch.cosh, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "erf": torch.erf, "floor": torch.floor, "ceil": torch.ceil, "round": torch.round, "trunc": torch.trunc,
    "silu": F.silu, "logicalNot": torch.logical_not, "isnan": torch.isnan, "isinf": torch.isinf,
    "isfinite": torch.isfinite, "contiguous": lambda x: x.contiguous(), "t": lambda x: x.t(),
    "T": lambda x: x.permute(*reversed(range(x.dim()))), "clone": torch.clone,
}
BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum, "atan2": torch.atan2, "remainder": torch.remainder,
    "fmod": torch.fmod, "floorDivide": torch.floor_divide, "eq": torch.eq, "ne": torch.ne, "lt": torch.lt,
    "le": torch.le, "gt": torch.gt, "ge": torch.ge, "logicalAnd": torch.logical_and,
    "logicalOr": torch.logical_or, "logicalXor": torch.logical_xor, "matmul": torch.matmul, "mm": torch.mm,
    "bmm": torch.bmm, "dot": torch.dot, "outer": torch.outer, "expandAs": lambda a, b: a.expand_as(b),
}
PY_OPS = {
    "add_alpha": lambda x, p: torch.add(x[0], x[1], alpha=p["alpha"]),
    "sub_alpha": lambda x, p: torch.sub(x[0], x[1], alpha=p["alpha"]),
    # torch.maximum takes no Python scalar: descent's maximum(x, 0.1) means a 0-d tensor of x's dtype
    "scalar_right": lambda x, p: BINARY[p["fn"]](x[0], torch.tensor(p["other"], dtype=x[0].dtype))
    if p["fn"] in ("maximum", "minimum") else BINARY[p["fn"]](x[0], p["other"]),
    "scalar_left": lambda x, p: BINARY[p["fn"]](torch.tensor(p["other"], dtype=x[0].dtype), x[0])
    if p["fn"] not in ("pow",) else torch.pow(p["other"], x[0]),
    "clamp": lambda x, p: torch.clamp(x[0], p.get("min"), p.get("max")),
    "clamp_tensor": lambda x, p: torch.clamp(x[0], x[1], x[2]),
    "leakyRelu": lambda x, p: F.leaky_relu(x[0], p.get("negativeSlope", 0.01)),
    "elu": lambda x, p: F.elu(x[0], p.get("alpha", 1.0)),
    "gelu": lambda x, p: F.gelu(x[0], approximate=p.get("approximate", "none")),
    "softplus": lambda x, p: F.softplus(x[0], p.get("beta", 1), p.get("threshold", 20)),
    "where": lambda x, p: torch.where(x[0], x[1], x[2]),
    "where_scalar": lambda x, p: torch.where(x[0], x[1], torch.tensor(p["other"], dtype=x[1].dtype)),
    "cast": lambda x, p: x[0].to(TORCH_DTYPE[p["dtype"]]),
    "sum": lambda x, p: torch.sum(x[0], **reduce_kw(p)) if "dim" in p else torch.sum(x[0]),
    "mean": lambda x, p: torch.mean(x[0], **reduce_kw(p)) if "dim" in p else torch.mean(x[0]),
    "prod": lambda x, p: torch.prod(x[0], **reduce_kw(p)) if "dim" in p else torch.prod(x[0]),
    "var": lambda x, p: torch.var(x[0], dim=p.get("dim"), unbiased=p.get("unbiased", True), keepdim=p.get("keepdim", False)),
    "std": lambda x, p: torch.std(x[0], dim=p.get("dim"), unbiased=p.get("unbiased", True), keepdim=p.get("keepdim", False)),
    "max": lambda x, p: tuple(torch.max(x[0], **reduce_kw(p))) if "dim" in p else torch.max(x[0]),
    "min": lambda x, p: tuple(torch.min(x[0], **reduce_kw(p))) if "dim" in p else torch.min(x[0]),
    "amax": lambda x, p: torch.amax(x[0], **reduce_kw(p)) if "dim" in p else torch.amax(x[0], dim=list(range(x[0].dim()))),
    "amin": lambda x, p: torch.amin(x[0], **reduce_kw(p)) if "dim" in p else torch.amin(x[0], dim=list(range(x[0].dim()))),
    "argmax": lambda x, p: torch.argmax(x[0], **reduce_kw(p)),
    "argmin": lambda x, p: torch.argmin(x[0], **reduce_kw(p)),
    "any": lambda x, p: torch.any(x[0], **reduce_kw(p)) if "dim" in p else torch.any(x[0]),
    "all": lambda x, p: torch.all(x[0], **reduce_kw(p)) if "dim" in p else torch.all(x[0]),
    "logsumexp": lambda x, p: torch.logsumexp(x[0], p["dim"], keepdim=p.get("keepdim", False)),
    "norm": lambda x, p: norm_(x[0], p),
    "reshape": lambda x, p: x[0].reshape(p["shape"]),
    "view": lambda x, p: x[0].view(p["shape"]),
    "flatten": lambda x, p: torch.flatten(x[0], p.get("startDim", 0), p.get("endDim", -1)),
    "unflatten": lambda x, p: x[0].unflatten(p["dim"], p["sizes"]),
    "squeeze": lambda x, p: x[0].squeeze(p["dim"]) if "dim" in p else x[0].squeeze(),
    "unsqueeze": lambda x, p: x[0].unsqueeze(p["dim"]),
    "transpose": lambda x, p: x[0].transpose(p["dim0"], p["dim1"]),
    "permute": lambda x, p: x[0].permute(p["dims"]),
    "expand": lambda x, p: x[0].expand(p["shape"]),
    "broadcastTo": lambda x, p: torch.broadcast_to(x[0], p["shape"]),
    "broadcastTensors": lambda x, p: tuple(torch.broadcast_tensors(*x)),
    "cat": lambda x, p: torch.cat(x, p.get("dim", 0)),
    "stack": lambda x, p: torch.stack(x, p.get("dim", 0)),
    "split": lambda x, p: tuple(torch.split(x[0], p["size"], p.get("dim", 0))),
    "chunk": lambda x, p: tuple(torch.chunk(x[0], p["chunks"], p.get("dim", 0))),
    "narrow": lambda x, p: torch.narrow(x[0], p["dim"], p["start"], p["length"]),
    "slice": lambda x, p: slice_(x[0], p),
    "select": lambda x, p: torch.select(x[0], p["dim"], p["index"]),
    "indexSelect": lambda x, p: torch.index_select(x[0], p["dim"], x[1]),
    "gather": lambda x, p: torch.gather(x[0], p["dim"], x[1]),
    "scatterAdd": lambda x, p: torch.scatter_add(x[0], p["dim"], x[1], x[2]),
    "pad": lambda x, p: F.pad(x[0], p["pad"], value=p.get("value", 0)),
    "repeat": lambda x, p: x[0].repeat(p["repeats"]),
    "tril": lambda x, p: torch.tril(x[0], p.get("diagonal", 0)),
    "triu": lambda x, p: torch.triu(x[0], p.get("diagonal", 0)),
    "oneHot": lambda x, p: F.one_hot(x[0], p.get("numClasses", -1)),
    "flip": lambda x, p: torch.flip(x[0], p["dims"]),
    "maskedFill": lambda x, p: x[0].masked_fill(x[1], p["value"]),
    "softmax": lambda x, p: torch.softmax(x[0], p["dim"]),
    "sort": lambda x, p: tuple(torch.sort(x[0], dim=p.get("dim", -1), descending=p.get("descending", False), stable=True)),
    "argsort": lambda x, p: torch.sort(x[0], dim=p.get("dim", -1), descending=p.get("descending", False), stable=True).indices,
    "topk": lambda x, p: tuple(torch.topk(x[0], p["k"], dim=p.get("dim", -1), largest=p.get("largest", True))),
    "cumsum": lambda x, p: torch.cumsum(x[0], p["dim"]),
    "cumprod": lambda x, p: torch.cumprod(x[0], p["dim"]),
    "unique": lambda x, p: tuple(torch.unique(x[0], sorted=True, return_inverse=True, return_counts=True)),
    "nonzero": lambda x, p: torch.nonzero(x[0]),
    "maskedSelect": lambda x, p: torch.masked_select(x[0], x[1]),
    "addmm": lambda x, p: torch.addmm(x[0], x[1], x[2], beta=p.get("beta", 1), alpha=p.get("alpha", 1)),
    "baddbmm": lambda x, p: torch.baddbmm(x[0], x[1], x[2], beta=p.get("beta", 1), alpha=p.get("alpha", 1)),
    "logSoftmax": lambda x, p: torch.log_softmax(x[0], p["dim"]),
}
for _name, _fn in UNARY.items():
    PY_OPS.setdefault(_name, lambda x, p, _fn=_fn: _fn(x[0]))
for _name, _fn in BINARY.items():
    PY_OPS.setdefault(_name, lambda x, p, _fn=_fn: _fn(x[0], x[1]))


# ---- the case table ----
GROUPS = {}


def case(group, name, op, inputs, params=None, gradcheck=True, **extra):
    """gradcheck=False marks cases at kinks/ties where finite differences are meaningless (fixtures still apply)."""
    GROUPS.setdefault(group, []).append(
        {"name": name, "op": op, "params": params or {}, "inputs": inputs, "gradcheck": gradcheck, **extra})


E = "elementwise"
# binary arithmetic with broadcasting, odd shapes, size-1 and empty dims
for op, init in [("add", "randn"), ("sub", "randn"), ("mul", "randn"), ("div", "pos"), ("maximum", "randn"), ("minimum", "randn"), ("atan2", "pos")]:
    case(E, f"{op}_same", op, [inp([2, 3]), inp([2, 3], init)])
    case(E, f"{op}_broadcast", op, [inp([3, 1, 5]), inp([4, 1], init)])
case(E, "add_scalar_tensor_0d", "add", [inp([2, 3]), inp([])])
case(E, "add_size1_dims", "add", [inp([1, 3, 1]), inp([2, 1, 4])])
case(E, "add_empty_broadcast", "add", [inp([0, 3]), inp([3])])
case(E, "add_alpha", "add_alpha", [inp([2, 3]), inp([3])], {"alpha": -2.5})
case(E, "sub_alpha", "sub_alpha", [inp([2, 3]), inp([2, 1])], {"alpha": 0.5})
case(E, "mul_one_side_grad", "mul", [inp([2, 3]), inp([3], grad=False)])
case(E, "div_broadcast_both", "div", [inp([5, 1], "pos"), inp([1, 4], "pos")])
case(E, "pow_tensor_tensor", "pow", [inp([2, 3], "pos"), inp([3], "randn")])
case(E, "pow_zero_base", "pow", [inp([4], "values", values=[0.0, 0.0, 2.0, 1.5]), inp([4], "values", values=[2.0, 0.5, 3.0, -1.0])], gradcheck=False)
case(E, "maximum_ties", "maximum", [inp([3, 4], "ties"), inp([4], "ties")], gradcheck=False)
case(E, "minimum_ties", "minimum", [inp([3, 4], "ties"), inp([3, 1], "ties")], gradcheck=False)
case(E, "remainder", "remainder", [inp([2, 3], "randn"), inp([3], "pos")])
case(E, "remainder_negative_divisor", "remainder", [inp([6], "values", values=[5.5, -5.5, 3.25, -3.25, 7.0, 0.5]), inp([6], "values", values=[-2.0, -2.0, 2.0, 2.0, -3.0, -0.75])])
case(E, "fmod", "fmod", [inp([6], "values", values=[5.5, -5.5, 3.25, -3.25, 7.0, 0.5]), inp([6], "values", values=[-2.0, -2.0, 2.0, 2.0, -3.0, -0.75])])
case(E, "floorDivide", "floorDivide", [inp([6], "values", values=[5.5, -5.5, 3.25, -3.25, 7.0, 0.5], grad=False), inp([6], "values", values=[-2.0, -2.0, 2.0, 2.0, -3.0, -0.75], grad=False)])
for fn, other in [("add", 2.5), ("sub", -1.25), ("mul", 3.0), ("div", 4.0), ("pow", 3.0), ("pow", 0.5), ("pow", -2.0), ("maximum", 0.1), ("remainder", 1.5)]:
    init = "pos" if fn == "pow" else "randn"
    case(E, f"{fn}_scalar_right_{other}", "scalar_right", [inp([2, 3], init)], {"fn": fn, "other": other})
for fn, other in [("sub", 1.0), ("div", 2.0), ("pow", 2.0), ("add", -3.0), ("mul", 0.5)]:
    init = "pos" if fn == "div" else "randn"
    case(E, f"{fn}_scalar_left_{other}", "scalar_left", [inp([3, 2], init)], {"fn": fn, "other": other})
# unary math
UNARY_INIT = {"log": "pos", "log2": "pos", "log10": "pos", "sqrt": "pos", "rsqrt": "pos", "reciprocal": "nonzero",
              "asin": "unit", "acos": "unit", "log1p": "pos", "abs": "nonzero", "sign": "nonzero", "relu": "nonzero",
              "tan": "unit", "floor": "randn", "ceil": "randn", "round": "randn", "trunc": "randn"}
for op in ["neg", "abs", "sign", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "reciprocal", "square",
           "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "erf", "floor", "ceil",
           "round", "trunc", "silu", "clone"]:
    case(E, op, op, [inp([3, 4], UNARY_INIT.get(op, "randn"))])
case(E, "round_half_even", "round", [inp([6], "values", values=[0.5, 1.5, 2.5, -0.5, -1.5, 2.4999])], gradcheck=False)
case(E, "abs_at_zero", "abs", [inp([3], "values", values=[-1.0, 0.0, 2.0])], gradcheck=False)
case(E, "relu_at_zero", "relu", [inp([3], "values", values=[-1.0, 0.0, 2.0])], gradcheck=False)
case(E, "sigmoid_extremes", "sigmoid", [inp([4], "values", values=[-800.0, -30.0, 30.0, 800.0])], gradcheck=False)
case(E, "exp_0d", "exp", [inp([])])
case(E, "tanh_empty", "tanh", [inp([0, 2])])
# activations
case(E, "leakyRelu", "leakyRelu", [inp([3, 4], "nonzero")], {"negativeSlope": 0.2})
case(E, "leakyRelu_default", "leakyRelu", [inp([5], "nonzero")])
case(E, "elu", "elu", [inp([3, 4], "nonzero")], {"alpha": 1.5})
case(E, "elu_large_negative", "elu", [inp([3], "values", values=[-1000.0, -2.0, 3.0])], {"alpha": 1.0})
case(E, "elu_at_zero", "elu", [inp([3], "values", values=[-1.0, 0.0, 1.0])], {"alpha": 1.5}, gradcheck=False)
case(E, "leakyRelu_at_zero", "leakyRelu", [inp([3], "values", values=[-1.0, 0.0, 1.0])], {"negativeSlope": 0.2}, gradcheck=False)
case(E, "softplus_at_threshold", "softplus", [inp([3], "values", values=[19.0, 10.0, 21.0])], {"beta": 2.0, "threshold": 20.0}, gradcheck=False)
case(E, "gelu_erf", "gelu", [inp([3, 4])], {"approximate": "none"})
case(E, "gelu_tanh", "gelu", [inp([3, 4])], {"approximate": "tanh"})
case(E, "softplus", "softplus", [inp([3, 4])])
case(E, "softplus_beta_threshold", "softplus", [inp([6], "values", values=[-3.0, -0.5, 0.1, 1.9, 2.5, 30.0])], {"beta": 2.0, "threshold": 4.0})
# clamp
case(E, "clamp_both", "clamp", [inp([3, 4])], {"min": -0.5, "max": 0.5})
case(E, "clamp_min", "clamp", [inp([3, 4])], {"min": 0.2})
case(E, "clamp_max", "clamp", [inp([3, 4])], {"max": -0.1})
case(E, "clamp_at_bounds", "clamp", [inp([4], "values", values=[-1.0, 0.0, 1.0, 2.0])], {"min": 0.0, "max": 1.0}, gradcheck=False)
case(E, "clamp_tensor_bounds", "clamp_tensor", [inp([3, 4]), inp([4], init="values", values=[-1.0, -0.5, 0.0, 0.25]), inp([3, 1], init="values", values=[0.5, 1.0, 1.5])])
# comparisons and logic (bool results, no gradient)
for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    case(E, op, op, [inp([3, 4], "ties", grad=False), inp([4], "ties", grad=False)])
    case(E, f"{op}_scalar", "scalar_right", [inp([2, 3], "ties", grad=False)], {"fn": op, "other": 0})
for op in ["logicalAnd", "logicalOr", "logicalXor"]:
    case(E, op, op, [inp([2, 3], "bool"), inp([3], "ties", grad=False)])
case(E, "logicalNot", "logicalNot", [inp([2, 3], "ties", grad=False)])
case(E, "isnan_isinf_isfinite", "isnan", [inp([4], "values", values=[float("nan"), 1.0, float("inf"), -float("inf")], grad=False)])
case(E, "isinf", "isinf", [inp([4], "values", values=[float("nan"), 1.0, float("inf"), -float("inf")], grad=False)])
case(E, "isfinite", "isfinite", [inp([4], "values", values=[float("nan"), 1.0, float("inf"), -float("inf")], grad=False)])
# where, cast
case(E, "where", "where", [inp([3, 4], "bool"), inp([3, 4]), inp([3, 4])])
case(E, "where_broadcast", "where", [inp([3, 1], "bool"), inp([4]), inp([2, 1, 1])])
case(E, "where_scalar", "where_scalar", [inp([2, 3], "bool"), inp([2, 3])], {"other": -1.5})
case(E, "cast_f64_to_f32", "cast", [inp([2, 3])], {"dtype": "float32"}, gradcheck=False)
case(E, "cast_f64_to_int", "cast", [inp([5], "values", values=[1.7, -1.7, 0.2, -0.0, 3.0], grad=False)], {"dtype": "int32"})
case(E, "cast_to_bool", "cast", [inp([4], "values", values=[0.0, 0.5, -2.0, 0.0], grad=False)], {"dtype": "bool"})
# dtype promotion: int tensors with floats and scalars (torch int32 stands for descent's int32)
case(E, "promote_int_plus_float_tensor", "add", [inp([3], "index", dtype="int32", high=5), inp([3])])
case(E, "promote_int_plus_float_scalar", "scalar_right", [inp([3], "index", dtype="int32", high=5)], {"fn": "add", "other": 2.5})
case(E, "promote_int_plus_int_scalar", "scalar_right", [inp([3], "index", dtype="int32", high=5)], {"fn": "mul", "other": 3})
case(E, "promote_int_div_int", "div", [inp([3], "index", dtype="int32", high=5), inp([3], "values", dtype="int32", values=[1, 2, 4])])
case(E, "promote_f32_plus_f64", "add", [inp([3], dtype="float32"), inp([3])], gradcheck=False)
case(E, "promote_bool_plus_bool", "add", [inp([4], "bool"), inp([4], "bool")])
case(E, "promote_int_sum", "sum", [inp([2, 3], "index", dtype="int32", high=5)])

R = "reduce"
X = [2, 3, 4]
case(R, "sum_all", "sum", [inp(X)])
case(R, "sum_dim", "sum", [inp(X)], {"dim": 1})
case(R, "sum_negdim_keepdim", "sum", [inp(X)], {"dim": -1, "keepdim": True})
case(R, "sum_dims_list", "sum", [inp(X)], {"dim": [0, 2]})
case(R, "sum_dims_list_keepdim", "sum", [inp(X)], {"dim": [-1, 0], "keepdim": True})
case(R, "sum_0d", "sum", [inp([])])
case(R, "sum_bool_over_many", "sum", [inp([2, 300], "bool")])
case(R, "sum_empty_dim_list_means_all", "sum", [inp(X)], {"dim": []})
case(R, "mean_empty_dim_list_means_all", "mean", [inp(X)], {"dim": [], "keepdim": True})
case(R, "sum_empty_dim", "sum", [inp([2, 0, 3])], {"dim": 1})
case(R, "sum_empty_all", "sum", [inp([0, 3])])
case(R, "mean_all", "mean", [inp(X)])
case(R, "mean_dim_keepdim", "mean", [inp(X)], {"dim": 1, "keepdim": True})
case(R, "mean_dims", "mean", [inp(X)], {"dim": [0, -1]})
case(R, "mean_empty_is_nan", "mean", [inp([0])], gradcheck=False)
case(R, "prod_all", "prod", [inp([5], "pos")])
case(R, "prod_dim", "prod", [inp(X)], {"dim": 1})
case(R, "prod_dim_keepdim_neg", "prod", [inp(X)], {"dim": -1, "keepdim": True})
case(R, "prod_one_zero", "prod", [inp([2, 3], "values", values=[1.5, 0.0, -2.0, 0.5, 3.0, 0.7])], {"dim": 1})
case(R, "prod_two_zeros", "prod", [inp([2, 3], "values", values=[0.0, 0.0, -2.0, 0.5, 0.0, 0.7])], {"dim": 1})
case(R, "prod_all_one_zero", "prod", [inp([2, 3], "values", values=[1.5, 0.0, -2.0, 0.5, 3.0, 0.7])])
case(R, "prod_empty", "prod", [inp([0, 2])], {"dim": 0})
for u in [True, False]:
    case(R, f"var_all_unbiased_{u}", "var", [inp(X)], {"unbiased": u})
    case(R, f"var_dim_unbiased_{u}", "var", [inp(X)], {"dim": 1, "unbiased": u})
    case(R, f"std_dims_keepdim_unbiased_{u}", "std", [inp(X)], {"dim": [0, 2], "unbiased": u, "keepdim": True})
case(R, "std_all", "std", [inp([5])])
case(R, "var_neg_dim", "var", [inp(X)], {"dim": -1})
case(R, "max_all", "max", [inp(X)])
case(R, "min_all", "min", [inp(X)])
case(R, "max_all_ties", "max", [inp([2, 3], "values", values=[1.0, 3.0, 3.0, -1.0, 3.0, 0.0])], gradcheck=False)
case(R, "max_dim", "max", [inp(X)], {"dim": 1})
case(R, "max_dim_keepdim_neg", "max", [inp(X)], {"dim": -1, "keepdim": True})
case(R, "min_dim", "min", [inp(X)], {"dim": 0})
case(R, "min_dim_keepdim", "min", [inp(X)], {"dim": 2, "keepdim": True})
case(R, "max_dim_ties", "max", [inp([2, 3], "values", values=[1.0, 3.0, 3.0, 2.0, 2.0, 0.0])], {"dim": 1}, gradcheck=False)
case(R, "max_int", "max", [inp([2, 3], "index", dtype="int32", high=9)], {"dim": 1})
case(R, "amax_dims", "amax", [inp(X)], {"dim": [0, 2]})
case(R, "amax_keepdim", "amax", [inp(X)], {"dim": 1, "keepdim": True})
case(R, "amax_ties", "amax", [inp([2, 3], "values", values=[1.0, 3.0, 3.0, 2.0, 2.0, 2.0])], {"dim": 1}, gradcheck=False)
case(R, "amin_all", "amin", [inp(X)])
case(R, "amin_ties", "amin", [inp([2, 3], "values", values=[1.0, 3.0, 1.0, 2.0, 2.0, 2.0])], {"dim": -1}, gradcheck=False)
case(R, "argmax_all", "argmax", [inp(X, grad=False)])
case(R, "argmax_dim", "argmax", [inp(X, grad=False)], {"dim": 1})
case(R, "argmax_keepdim", "argmax", [inp(X, grad=False)], {"dim": -1, "keepdim": True})
case(R, "argmax_ties_first", "argmax", [inp([2, 3], "values", values=[1.0, 3.0, 3.0, 2.0, 2.0, 2.0], grad=False)], {"dim": 1})
case(R, "argmin_all", "argmin", [inp(X, grad=False)])
case(R, "argmin_dim", "argmin", [inp(X, grad=False)], {"dim": 0})
case(R, "any_dim", "any", [inp([3, 4], "bool")], {"dim": 1})
case(R, "all_all", "all", [inp([3, 4], "bool")])
case(R, "logsumexp_dim", "logsumexp", [inp(X)], {"dim": 1})
case(R, "logsumexp_dims_keepdim", "logsumexp", [inp(X)], {"dim": [0, -1], "keepdim": True})
case(R, "logsumexp_large", "logsumexp", [inp([2, 2], "values", values=[1000.0, 1000.0, -1000.0, 5.0])], {"dim": 1})
case(R, "logsumexp_neg_inf_row", "logsumexp", [inp([2, 2], "values", values=[float("-inf"), float("-inf"), 1.0, 2.0])], {"dim": 1}, gradcheck=False)
case(R, "norm_2_all", "norm", [inp(X)])
case(R, "norm_2_dim", "norm", [inp(X)], {"p": 2, "dim": 1})
case(R, "norm_fro_dims", "norm", [inp(X)], {"p": "fro", "dim": [1, 2]})
case(R, "norm_1_keepdim", "norm", [inp(X, "nonzero")], {"p": 1, "dim": -1, "keepdim": True})
case(R, "norm_3", "norm", [inp(X)], {"p": 3, "dim": 0})
case(R, "norm_0_5", "norm", [inp([4], "pos")], {"p": 0.5})
case(R, "norm_inf", "norm", [inp(X)], {"p": "inf", "dim": 2})
case(R, "norm_neg_inf", "norm", [inp(X)], {"p": "-inf"})
case(R, "norm_inf_ties", "norm", [inp([2, 3], "values", values=[3.0, -3.0, 1.0, 0.5, -2.0, 2.0])], {"p": "inf", "dim": 1}, gradcheck=False)
case(R, "norm_1_at_zero", "norm", [inp([3], "values", values=[0.0, -2.0, 1.0])], {"p": 1}, gradcheck=False)
case(R, "norm_3_at_zero", "norm", [inp([3], "values", values=[0.0, -2.0, 1.0])], {"p": 3}, gradcheck=False)
case(R, "norm_0", "norm", [inp([2, 3], "values", values=[0.0, 1.0, -2.0, 0.0, 0.0, 3.0])], {"p": 0, "dim": 1})
case(R, "norm_2_at_zero", "norm", [inp([2, 3], "values", values=[0.0, 0.0, 0.0, 1.0, 2.0, 2.0])], {"p": 2, "dim": 1}, gradcheck=False)

S = "shape"
case(S, "reshape", "reshape", [inp([2, 3, 4])], {"shape": [4, -1]})
case(S, "reshape_to_0d", "reshape", [inp([1, 1])], {"shape": []})
case(S, "reshape_empty", "reshape", [inp([0, 3])], {"shape": [3, 0, 1]})
case(S, "view", "view", [inp([6])], {"shape": [3, 2]})
case(S, "flatten", "flatten", [inp([2, 3, 4])])
case(S, "flatten_range", "flatten", [inp([2, 3, 4, 1])], {"startDim": 1, "endDim": -2})
case(S, "flatten_0d", "flatten", [inp([])])
case(S, "unflatten", "unflatten", [inp([2, 6])], {"dim": 1, "sizes": [3, -1]})
case(S, "squeeze_all", "squeeze", [inp([1, 3, 1, 2])])
case(S, "squeeze_dim", "squeeze", [inp([1, 3, 1, 2])], {"dim": -2})
case(S, "squeeze_non1_dim", "squeeze", [inp([2, 3])], {"dim": 0})
case(S, "unsqueeze", "unsqueeze", [inp([2, 3])], {"dim": 1})
case(S, "unsqueeze_neg", "unsqueeze", [inp([2, 3])], {"dim": -1})
case(S, "transpose", "transpose", [inp([2, 3, 4])], {"dim0": 0, "dim1": -1})
case(S, "permute", "permute", [inp([2, 3, 4])], {"dims": [2, 0, 1]})
case(S, "permute_neg", "permute", [inp([2, 1, 3])], {"dims": [-1, 0, 1]})
case(S, "t", "t", [inp([2, 3])])
case(S, "t_vector", "t", [inp([3])])
case(S, "T", "T", [inp([2, 3, 4])])
case(S, "expand", "expand", [inp([3, 1])], {"shape": [2, 3, 4]})
case(S, "expand_keep", "expand", [inp([3, 1])], {"shape": [-1, 5]})
case(S, "expand_0d", "expand", [inp([])], {"shape": [2, 2]})
case(S, "broadcastTo", "broadcastTo", [inp([1, 4])], {"shape": [3, 4]})
case(S, "expandAs", "expandAs", [inp([1, 4]), inp([2, 3, 4], grad=False)])
case(S, "broadcastTensors", "broadcastTensors", [inp([3, 1]), inp([4]), inp([2, 1, 1])])
case(S, "contiguous", "contiguous", [inp([2, 3])])
case(S, "cat_dim0", "cat", [inp([2, 3]), inp([1, 3]), inp([3, 3])])
case(S, "cat_negdim", "cat", [inp([2, 1]), inp([2, 4])], {"dim": -1})
case(S, "cat_empty_parts", "cat", [inp([0]), inp([2, 3]), inp([0, 3])])
case(S, "cat_mixed_grad", "cat", [inp([2, 2], grad=False), inp([2, 2])], {"dim": 1})
case(S, "stack", "stack", [inp([2, 3]), inp([2, 3])])
case(S, "stack_last", "stack", [inp([2, 3]), inp([2, 3]), inp([2, 3])], {"dim": -1})
case(S, "split_int", "split", [inp([5, 2])], {"size": 2})
case(S, "split_list", "split", [inp([2, 6])], {"size": [1, 3, 2], "dim": -1})
case(S, "chunk", "chunk", [inp([5, 3])], {"chunks": 3})
case(S, "chunk_fewer", "chunk", [inp([2, 6])], {"chunks": 4, "dim": 1})
case(S, "narrow", "narrow", [inp([4, 5])], {"dim": 1, "start": 1, "length": 3})
case(S, "narrow_negstart", "narrow", [inp([4, 5])], {"dim": 0, "start": -2, "length": 2})
case(S, "slice_step", "slice", [inp([7, 2])], {"dim": 0, "start": 1, "end": 6, "step": 2})
case(S, "slice_negative", "slice", [inp([3, 6])], {"dim": -1, "start": -4, "end": -1})
case(S, "slice_clamped", "slice", [inp([3, 4])], {"dim": 1, "start": 2, "end": 100})
case(S, "slice_empty", "slice", [inp([3, 4])], {"dim": 1, "start": 3, "end": 1})
case(S, "select", "select", [inp([3, 4])], {"dim": 1, "index": -1})
case(S, "indexSelect", "indexSelect", [inp([4, 3]), inp([5], "index", high=4)], {"dim": 0})
case(S, "indexSelect_dim1_dups", "indexSelect", [inp([2, 4, 3]), inp([6], "values", dtype="int64", values=[3, 0, 3, 3, 1, 0])], {"dim": 1})
case(S, "gather", "gather", [inp([3, 4]), inp([3, 2], "index", high=4)], {"dim": 1})
case(S, "gather_dim0_smaller", "gather", [inp([4, 3]), inp([2, 2], "index", high=4)], {"dim": 0})
case(S, "gather_neg_dim_3d", "gather", [inp([2, 3, 4]), inp([2, 3, 5], "index", high=4)], {"dim": -1})
case(S, "scatterAdd", "scatterAdd", [inp([3, 4]), inp([3, 2], "index", high=4), inp([3, 2])], {"dim": 1})
case(S, "scatterAdd_dups_dim0", "scatterAdd", [inp([3, 2]), inp([4, 2], "index", high=3), inp([4, 2])], {"dim": 0})
# torch 1.13 cannot differentiate src when it is larger than index (its backward returns the wrong shape)
case(S, "scatterAdd_src_larger", "scatterAdd", [inp([3, 4]), inp([2, 2], "index", high=4), inp([3, 3], grad=False)], {"dim": 1})
case(S, "pad_last", "pad", [inp([2, 3])], {"pad": [1, 2]})
case(S, "pad_two_dims_value", "pad", [inp([2, 3, 2])], {"pad": [0, 1, 2, 0], "value": 1.5})
case(S, "pad_negative", "pad", [inp([2, 5])], {"pad": [-1, 2]})
case(S, "repeat", "repeat", [inp([2, 3])], {"repeats": [2, 1]})
case(S, "repeat_new_dims", "repeat", [inp([3])], {"repeats": [2, 1, 2]})
case(S, "tril", "tril", [inp([3, 4])])
case(S, "tril_diag_batched", "tril", [inp([2, 3, 3])], {"diagonal": -1})
case(S, "triu", "triu", [inp([4, 3])], {"diagonal": 1})
case(S, "triu_neg", "triu", [inp([3, 3])], {"diagonal": -1})
case(S, "oneHot", "oneHot", [inp([2, 3], "index", high=4)], {"numClasses": 5})
case(S, "oneHot_infer", "oneHot", [inp([4], "values", dtype="int64", values=[2, 0, 1, 2])])
case(S, "flip", "flip", [inp([2, 3, 4])], {"dims": [0, -1]})
case(S, "maskedFill", "maskedFill", [inp([3, 4]), inp([4], "bool")], {"value": -2.0})

# empty tensors through reductions and indexing
case(R, "max_dim_of_empty_rows", "max", [inp([0, 3])], {"dim": 1})
case(R, "amax_dim_of_empty_rows", "amax", [inp([0, 3])], {"dim": 1})
case(R, "argmax_dim_of_empty_rows", "argmax", [inp([0, 3], grad=False)], {"dim": 1})
case(R, "logsumexp_empty_rows", "logsumexp", [inp([0, 3])], {"dim": 1})
case(R, "var_empty_rows", "var", [inp([0, 3])], {"dim": 1})
case(S, "indexSelect_empty_index", "indexSelect", [inp([3, 2]), inp([0], "index", high=3)], {"dim": 0})
case(S, "gather_empty_index", "gather", [inp([3, 2]), inp([0, 2], "index", high=3)], {"dim": 0})

# 0-d tensors where torch accepts dim 0 / -1
case(R, "max_dim_0d", "max", [inp([])], {"dim": 0})
case(R, "min_dim_0d_keepdim", "min", [inp([])], {"dim": -1, "keepdim": True})
case(R, "argmax_0d", "argmax", [inp([], grad=False)], {"dim": 0})
case(R, "amax_0d", "amax", [inp([])], {"dim": 0})
case(R, "logsumexp_0d", "logsumexp", [inp([])], {"dim": 0})
case(S, "transpose_0d", "transpose", [inp([])], {"dim0": 0, "dim1": -1})
case(S, "gather_0d", "gather", [inp([]), inp([], "index", high=1)], {"dim": 0})
case(S, "flip_0d", "flip", [inp([])], {"dims": [0]})

# higher ranks and size-1 dims
X4 = [2, 1, 3, 2]
case(R, "sum_4d_middle_dims", "sum", [inp(X4)], {"dim": [1, 2]})
case(R, "mean_4d_size1_dim_keepdim", "mean", [inp(X4)], {"dim": 1, "keepdim": True})
case(R, "max_4d_dim2", "max", [inp(X4)], {"dim": 2})
case(R, "var_4d_neg_dims", "var", [inp(X4)], {"dim": [-1, -3]})
case(R, "logsumexp_4d", "logsumexp", [inp(X4)], {"dim": 2})
case(R, "norm_4d_dims", "norm", [inp(X4)], {"dim": [0, 3]})
case(R, "prod_size1_dim", "prod", [inp(X4)], {"dim": 1})
case(S, "permute_4d", "permute", [inp(X4)], {"dims": [3, 1, 0, 2]})
case(S, "transpose_4d", "transpose", [inp(X4)], {"dim0": 1, "dim1": 2})
case(S, "squeeze_4d_dim", "squeeze", [inp(X4)], {"dim": 1})
case(S, "gather_4d", "gather", [inp(X4), inp([2, 1, 2, 2], "index", high=3)], {"dim": 2})
case(S, "cat_4d_dim2", "cat", [inp(X4), inp([2, 1, 1, 2])], {"dim": 2})
case(S, "expand_4d", "expand", [inp([1, 3, 1])], {"shape": [2, 2, 3, 4]})
case("linalg", "softmax_4d_dim1", "softmax", [inp([2, 3, 2, 2])], {"dim": 1})
case("linalg", "matmul_odd_sizes", "matmul", [inp([3, 5, 7]), inp([7, 2])])
case("linalg", "matmul_4d_4d", "matmul", [inp([2, 2, 3, 4]), inp([2, 2, 4, 3])])

# NaN and infinities propagate as in torch (forward only)
NAN = float("nan")
INF = float("inf")
NV = [1.0, NAN, -2.0, INF, 0.5, -INF]
for op, params in [("max", {}), ("max", {"dim": 1}), ("min", {"dim": 1}), ("amax", {"dim": 1}), ("argmax", {"dim": 1}),
                   ("argmin", {"dim": 1}), ("sum", {"dim": 1}), ("logsumexp", {"dim": 1}), ("softmax", {"dim": 1}),
                   ("relu", {}), ("sign", {}), ("sigmoid", {}), ("tanh", {}), ("clamp", {"min": -1.0, "max": 1.0}),
                   ("abs", {}), ("exp", {}), ("gelu", {}), ("elu", {}), ("softplus", {}), ("leakyRelu", {}), ("silu", {})]:
    suffix = "_dim" if "dim" in params else ""
    case(R, f"nan_inf_{op}{suffix}", op, [inp([2, 3], "values", values=NV, grad=False)], params)
case(E, "nan_inf_maximum", "maximum", [inp([6], "values", values=NV, grad=False), inp([6], "values", values=[NAN, 0.0, INF, 1.0, -INF, 2.0], grad=False)])
case(E, "nan_inf_pow", "pow", [inp([6], "values", values=[0.0, -2.0, INF, 1.0, NAN, -0.0], grad=False), inp([6], "values", values=[-1.0, 0.5, -1.0, NAN, 0.0, -3.0], grad=False)])
case(E, "nan_inf_remainder", "remainder", [inp([4], "values", values=[1.0, -1.0, INF, 3.0], grad=False), inp([4], "values", values=[0.0, INF, 2.0, -INF], grad=False)])

L = "linalg"
for name, a, b in [
    ("dot_1d_1d", [4], [4]), ("vec_mat", [3], [3, 5]), ("mat_vec", [2, 3], [3]), ("mat_mat", [2, 3], [3, 4]),
    ("batched_mat", [2, 3, 4], [4, 5]), ("mat_batched", [3, 4], [2, 4, 5]), ("batched_batched", [2, 3, 4], [2, 4, 2]),
    ("broadcast_batch", [2, 1, 3, 4], [3, 4, 2]), ("broadcast_batch_both", [2, 1, 2, 3], [1, 4, 3, 2]),
    ("vec_batched", [4], [2, 4, 3]), ("batched_vec", [2, 3, 4], [4]), ("size1_dims", [1, 1, 3], [3, 1]),
    ("empty_k", [2, 0], [0, 3]), ("empty_m", [0, 3], [3, 2]),
]:
    case(L, f"matmul_{name}", "matmul", [inp(a), inp(b)])
case(L, "matmul_one_side_grad", "matmul", [inp([2, 3, 4], grad=False), inp([4, 2])])
case(L, "mm", "mm", [inp([3, 2]), inp([2, 4])])
case(L, "bmm", "bmm", [inp([2, 2, 3]), inp([2, 3, 2])])
case(L, "dot", "dot", [inp([5]), inp([5])])
case(L, "outer", "outer", [inp([3]), inp([4])])
case(L, "matmul_int", "matmul", [inp([2, 3], "index", dtype="int32", high=5), inp([3, 2], "index", dtype="int32", high=5)])
case(L, "softmax_last", "softmax", [inp([3, 4])], {"dim": -1})
case(L, "softmax_dim0", "softmax", [inp([3, 4])], {"dim": 0})
case(L, "softmax_middle_3d", "softmax", [inp([2, 3, 4])], {"dim": 1})
case(L, "softmax_large_values", "softmax", [inp([2, 3], "values", values=[1000.0, 1001.0, 999.0, -1000.0, -1001.0, -999.0])], {"dim": 1})
case(L, "softmax_neg_inf", "softmax", [inp([2, 3], "values", values=[float("-inf"), 0.0, 1.0, 2.0, float("-inf"), 0.5])], {"dim": 1}, gradcheck=False)
case(L, "softmax_0d", "softmax", [inp([])], {"dim": 0})
case(L, "softmax_empty", "softmax", [inp([0, 3])], {"dim": -1})
case(L, "logSoftmax_last", "logSoftmax", [inp([3, 4])], {"dim": -1})
case(L, "logSoftmax_dim0", "logSoftmax", [inp([2, 3, 2])], {"dim": 0})
case(L, "logSoftmax_large_values", "logSoftmax", [inp([2, 3], "values", values=[1000.0, 1001.0, 999.0, -1000.0, -1001.0, -999.0])], {"dim": -1})

# random combinations (seeded): broadcast shapes with 0/1 dims for binary ops, random dims for reductions
import random as _random
_rng = _random.Random(1234)


def _broadcast_pair():
    nd = _rng.randint(0, 4)
    out = [_rng.choice([1, 2, 3]) for _ in range(nd)]
    a = [d if _rng.random() < 0.6 else 1 for d in out]
    b = [d if _rng.random() < 0.6 else 1 for d in out]
    a = a[_rng.randint(0, len(a)):] if _rng.random() < 0.3 else a
    b = b[_rng.randint(0, len(b)):] if _rng.random() < 0.3 else b
    return a, b


for k in range(24):
    op = ["add", "sub", "mul", "div", "maximum", "atan2"][k % 6]
    a, b = _broadcast_pair()
    case("random", f"random_{op}_{k}", op, [inp(a), inp(b, "pos" if op in ("div", "atan2") else "randn")])
for k in range(16):
    op = ["sum", "mean", "amax", "logsumexp", "var", "norm", "softmax", "logSoftmax"][k % 8]
    nd = _rng.randint(1, 4)
    shape = [_rng.choice([1, 2, 3]) for _ in range(nd)]
    dims = sorted(_rng.sample(range(-nd, 0), _rng.randint(1, nd)))
    params = {"dim": dims[0] if op in ("softmax", "logSoftmax") else dims}
    if op not in ("softmax", "logSoftmax"):
        params["keepdim"] = _rng.random() < 0.5
    if op == "var" and all(shape[d] == 1 for d in dims):
        shape[dims[0]] = 3  # unbiased variance of one element is NaN in both; keep the case informative
    case("random", f"random_{op}_{k}", op, [inp(shape)], params)

# float32: the same code paths in single precision (compared with rtol 1e-5)
F32G = "float32"
case(F32G, "f32_add_broadcast", "add", [inp([3, 1, 5], dtype="float32"), inp([4, 1], dtype="float32")], gradcheck=False)
case(F32G, "f32_mul_scalar", "scalar_right", [inp([2, 3], dtype="float32")], {"fn": "mul", "other": 0.1}, gradcheck=False)
case(F32G, "f32_exp", "exp", [inp([3, 4], dtype="float32")], gradcheck=False)
case(F32G, "f32_tanh", "tanh", [inp([3, 4], dtype="float32")], gradcheck=False)
case(F32G, "f32_gelu", "gelu", [inp([3, 4], dtype="float32")], gradcheck=False)
case(F32G, "f32_sum_dim", "sum", [inp([2, 3, 4], dtype="float32")], {"dim": 1}, gradcheck=False)
case(F32G, "f32_matmul_batched", "matmul", [inp([2, 3, 4], dtype="float32"), inp([4, 5], dtype="float32")], gradcheck=False)
case(F32G, "f32_softmax", "softmax", [inp([3, 5], dtype="float32")], {"dim": -1}, gradcheck=False)
case(F32G, "f32_logSoftmax", "logSoftmax", [inp([3, 5], dtype="float32")], {"dim": 1}, gradcheck=False)
case(F32G, "f32_var", "var", [inp([4, 5], dtype="float32")], {"dim": 1}, gradcheck=False)
# the wasm backend's SIMD kernels in float32 (35 elements: whole vectors and a tail), against PyTorch's float32;
# seeds of their own (from 900000), so that cases added to later groups keep theirs
SIMD_SEED = 900000
for i, (op, init) in enumerate([("sigmoid", "randn"), ("erf", "randn"), ("expm1", "randn"), ("log", "pos"), ("log1p", "pos"),
                                ("log2", "pos"), ("log10", "pos"), ("rsqrt", "pos"), ("silu", "randn")]):
    case(F32G, f"f32_{op}", op, [inp([5, 7], init, dtype="float32")], gradcheck=False, seed=SIMD_SEED + i)
case(F32G, "f32_gelu_tanh", "gelu", [inp([5, 7], dtype="float32")], {"approximate": "tanh"}, gradcheck=False, seed=SIMD_SEED + 9)
case(F32G, "f32_pow_broadcast", "pow", [inp([5, 7], "pos", dtype="float32"), inp([7], dtype="float32")], gradcheck=False, seed=SIMD_SEED + 10)
case(F32G, "f32_maximum_broadcast", "maximum", [inp([5, 1, 7], dtype="float32"), inp([3, 1], dtype="float32")], gradcheck=False, seed=SIMD_SEED + 11)
case(F32G, "f32_where_broadcast", "where", [inp([3, 1], "bool"), inp([5, 3, 7], dtype="float32"), inp([7], dtype="float32")],
     gradcheck=False, seed=SIMD_SEED + 12)

# sorting, selection and scans (a group of their own, last, so the seeds of the groups above do not move)
O = "sort"
case(O, "sort_last", "sort", [inp([3, 5])])
case(O, "sort_dim0_descending", "sort", [inp([4, 3])], {"dim": 0, "descending": True})
case(O, "sort_3d_middle", "sort", [inp([2, 4, 3])], {"dim": 1})
case(O, "sort_ties_stable", "sort", [inp([2, 6], "ties")], {"dim": 1}, gradcheck=False)
case(O, "sort_ties_stable_descending", "sort", [inp([2, 6], "ties")], {"dim": 1, "descending": True}, gradcheck=False)
case(O, "sort_nan", "sort", [inp([5], "values", values=[1.0, float("nan"), -2.0, float("inf"), 0.5], grad=False)])
case(O, "sort_nan_descending", "sort", [inp([5], "values", values=[1.0, float("nan"), -2.0, float("inf"), 0.5], grad=False)], {"descending": True})
case(O, "sort_int", "sort", [inp([6], "index", dtype="int32", high=4)])
case(O, "sort_0d", "sort", [inp([])], {"dim": 0})
case(O, "argsort", "argsort", [inp([3, 4], grad=False)], {"dim": 1})
case(O, "argsort_descending_dim0", "argsort", [inp([4, 2], grad=False)], {"dim": 0, "descending": True})
case(O, "topk", "topk", [inp([3, 7])], {"k": 3})
case(O, "topk_smallest_dim0", "topk", [inp([5, 2])], {"k": 2, "dim": 0, "largest": False})
case(O, "topk_all", "topk", [inp([4])], {"k": 4})
case(O, "topk_3d", "topk", [inp([2, 5, 3])], {"k": 1, "dim": 1})
case(O, "cumsum", "cumsum", [inp([3, 4])], {"dim": 1})
case(O, "cumsum_dim0_3d", "cumsum", [inp([3, 2, 2])], {"dim": 0})
case(O, "cumsum_neg_dim", "cumsum", [inp([2, 3, 4])], {"dim": -2})
case(O, "cumsum_int", "cumsum", [inp([5], "index", dtype="int32", high=9)], {"dim": 0})
case(O, "cumsum_bool", "cumsum", [inp([6], "bool")], {"dim": 0})
case(O, "cumsum_0d", "cumsum", [inp([])], {"dim": 0})
case(O, "cumprod", "cumprod", [inp([3, 4], "pos")], {"dim": 1})
case(O, "cumprod_neg", "cumprod", [inp([2, 3, 2])], {"dim": 0})
case(O, "cumprod_one_zero", "cumprod", [inp([5], "values", values=[1.5, -2.0, 0.0, 3.0, 0.5])], {"dim": 0}, gradcheck=False)
case(O, "cumprod_two_zeros", "cumprod", [inp([2, 4], "values", values=[0.0, 2.0, 0.0, 3.0, 1.5, 0.0, -1.0, 2.0])], {"dim": 1}, gradcheck=False)
case(O, "unique_int", "unique", [inp([3, 4], "index", dtype="int32", high=5)])
case(O, "unique_float", "unique", [inp([7], "values", values=[2.5, -1.0, 2.5, 0.0, -1.0, 7.0, 2.5], grad=False)])
case(O, "nonzero", "nonzero", [inp([3, 4], "ties", grad=False)])
case(O, "nonzero_bool_1d", "nonzero", [inp([6], "bool")])
case(O, "maskedSelect", "maskedSelect", [inp([3, 4]), inp([4], "bool")])
case(O, "maskedSelect_broadcast_mask", "maskedSelect", [inp([2, 1]), inp([2, 3], "bool")])
case(O, "addmm", "addmm", [inp([3]), inp([2, 4]), inp([4, 3])])
case(O, "addmm_beta_alpha", "addmm", [inp([2, 3]), inp([2, 4]), inp([4, 3])], {"beta": 0.5, "alpha": -2.0})
case(O, "addmm_beta0", "addmm", [inp([2, 3], "values", values=[float("nan")] * 6, grad=False), inp([2, 4]), inp([4, 3])], {"beta": 0.0})
case(O, "baddbmm", "baddbmm", [inp([2, 3, 3]), inp([2, 3, 4]), inp([2, 4, 3])], {"alpha": 0.25})
case(O, "triu_bool", "triu", [inp([3, 3], "bool")], {"diagonal": 1})


def run(c, seed):
    torch.manual_seed(seed)
    xs = [draw(s) for s in c["inputs"]]
    for x, s in zip(xs, c["inputs"]):
        if s["grad"]:
            x.requires_grad_(True)
    out = PY_OPS[c["op"]](xs, c["params"])
    outs = list(out) if isinstance(out, tuple) else [out]
    diff_outs = [o for o in outs if o.requires_grad]
    ups = [torch.randn(o.shape, dtype=F64).to(o.dtype) for o in diff_outs]
    diff_ins = [x for x in xs if x.requires_grad]
    grads = []
    if diff_outs and diff_ins:
        grads = torch.autograd.grad(diff_outs, diff_ins, ups, allow_unused=True)
    record = {k: v for k, v in c.items() if k not in ("inputs", "seed")}
    record["inputs"] = [{**encode(x), "requiresGrad": s["grad"]} for x, s in zip(xs, c["inputs"])]
    record["outputs"] = [encode(o) for o in outs]
    record["upstream"] = [encode(u) for u in ups]
    record["grads"] = [None if g is None else encode(g) for g in grads]
    return record


seed = 0
for group, cases in GROUPS.items():
    names = set()
    records = []
    for c in cases:
        assert c["name"] not in names, c["name"]
        names.add(c["name"])
        if "seed" in c:  # a case with a seed of its own does not move the others'
            records.append(run(c, c["seed"]))
            continue
        records.append(run(c, seed))
        seed += 1
    dump(f"ops_{group}", records)
