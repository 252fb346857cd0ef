"""Reference values for tensor creation and dtype promotion.
Run: /usr/bin/python3 tools/gen_tensor_ops_fixtures.py  (writes test/fixtures/ops_tensor.json)
torch's int64 stands for descent's int32 and Python floats for float32 (torch's default dtype)."""
import torch
from fixtures_common import DTYPES, dump, encode

creation = {
    "linspace_0_1_7": torch.linspace(0, 1, 7),
    "linspace_neg_10": torch.linspace(-3.5, 2, 10),
    "linspace_f64_11": torch.linspace(-1, 1, 11, dtype=torch.float64),
    "linspace_1": torch.linspace(2, 5, 1),
    "linspace_0": torch.linspace(2, 5, 0),
    "arange_5": torch.arange(5),
    "arange_1_10_3": torch.arange(1, 10, 3),
    "arange_float_step": torch.arange(0, 1, 0.1),
    "arange_negative_step": torch.arange(10, 0, -2.5),
    "arange_f64": torch.arange(0.5, 3, 0.5, dtype=torch.float64),
    "eye_3": torch.eye(3),
    "eye_2_4": torch.eye(2, 4),
    "full_2_3": torch.full((2, 3), 7.5),
    "zeros_0_2": torch.zeros(0, 2),
}

DT = {"bool": torch.bool, "int32": torch.int32, "float32": torch.float32, "float64": torch.float64}
VALUE = {"bool": True, "int32": 3, "float32": 1.5, "float64": 2.5}


def make(dtype, zero_dim):
    v = VALUE[dtype]
    return torch.tensor(v if zero_dim else [v, v], dtype=DT[dtype])


promotion = []
for a in DT:
    for b in DT:
        for a0 in (False, True):
            for b0 in (False, True):
                x, y = make(a, a0), make(b, b0)
                promotion.append({"a": a, "aZeroDim": a0, "b": b, "bZeroDim": b0, "op": "add",
                                  "result": DTYPES[torch.result_type(x, y)] if (a, b) != ("bool", "bool") else "bool"})
scalars = []
for a in DT:
    for s in (2, 2.5, True):
        x = make(a, False)
        scalars.append({"a": a, "scalar": s, "add": DTYPES[(x + s).dtype], "div": DTYPES[(x / s).dtype],
                        "mul": DTYPES[(x * s).dtype]})

# in-place random fills after manual_seed(0)
inplace = {}
torch.manual_seed(0); inplace["uniform_f32"] = torch.empty(7).uniform_(-2, 3)
torch.manual_seed(0); inplace["uniform_f64"] = torch.empty(5, dtype=torch.float64).uniform_(-2, 3)
torch.manual_seed(0); inplace["normal_f32_5"] = torch.empty(5).normal_(1, 2)
torch.manual_seed(0); inplace["normal_f32_20"] = torch.empty(4, 5).normal_(1, 2)
# in-place arithmetic, as optimizers use it
t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
a = torch.tensor([0.5, -1.0, 2.0])
b = torch.tensor([[2.0], [3.0]])
inplace["add_alpha"] = t.clone().add_(a, alpha=-0.5)
inplace["sub_alpha"] = t.clone().sub_(b, alpha=2)
inplace["mul_"] = t.clone().mul_(a)
inplace["div_"] = t.clone().div_(b)
inplace["pow_"] = t.clone().pow_(0.5)
inplace["addcmul_"] = t.clone().addcmul_(a, b, value=0.25)
inplace["addcdiv_"] = t.clone().addcdiv_(a, b, value=-2)
inplace["clamp_"] = t.clone().clamp_(2.5, 4.5)
inplace["maximum_"] = t.clone().copy_(torch.maximum(t, torch.tensor(3.5)))
inplace["copy_broadcast"] = t.clone().copy_(a)
inplace["copy_to_int"] = torch.zeros(3, dtype=torch.int32).copy_(torch.tensor([1.7, -1.7, 2.2]))
inplace["add_int_alpha_float"] = t.clone().add_(torch.tensor([1, 2, 3]), alpha=0.5)

dump("ops_tensor", {"creation": {k: encode(v) for k, v in creation.items()}, "promotion": promotion, "scalars": scalars,
                    "inplace": {k: encode(v) for k, v in inplace.items()}})
