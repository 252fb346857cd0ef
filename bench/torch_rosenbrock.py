"""W4 in PyTorch: the same Rosenbrock SGD loop, printed as JSON for bench/run.ts (threads: torch_env.py)."""
import json
import sys
import time

from torch_env import torch

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
lr = 1e-4
x = torch.tensor(-1.5, requires_grad=True)
y = torch.tensor(2.0, requires_grad=True)
start = time.perf_counter()
for _ in range(steps):
    f = (1 - x) ** 2 + 100 * (y - x ** 2) ** 2
    x.grad = None
    y.grad = None
    f.backward()
    with torch.no_grad():
        x -= lr * x.grad
        y -= lr * y.grad
seconds = time.perf_counter() - start
print(json.dumps({"stepsPerSecond": steps / seconds, "x": x.item(), "y": y.item(), "loss": f.item()}))
