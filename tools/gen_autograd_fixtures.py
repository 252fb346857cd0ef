"""Reference values for second-order autograd: a Hessian-vector product and a gradient penalty.
Run: /usr/bin/python3 tools/gen_autograd_fixtures.py  (writes test/fixtures/autograd.json)"""
import torch
from fixtures_common import dump, encode

torch.manual_seed(0)
x = torch.randn(3, dtype=torch.float64, requires_grad=True)
w = torch.randn(3, 3, dtype=torch.float64, requires_grad=True)
v = torch.randn(3, dtype=torch.float64)


def f(x, w):
    """f(x, w) = sum(x^3) + sum(tanh(w @ x)) + sum(softmax(w, -1) @ x)"""
    return x.pow(3).sum() + torch.tanh(w @ x).sum() + (torch.softmax(w, -1) @ x).sum()


value = f(x, w)
(gx,) = torch.autograd.grad(value, x, create_graph=True)
(hvp,) = torch.autograd.grad(gx, x, grad_outputs=v, retain_graph=True)
# a gradient penalty: d/dw of ||df/dx||^2
(penalty_w,) = torch.autograd.grad(gx.pow(2).sum(), w)
dump("autograd", {
    "x": encode(x), "w": encode(w), "v": encode(v), "value": encode(value), "gradX": encode(gx),
    "hvp": encode(hvp), "penaltyGradW": encode(penalty_w),
})
