# W1 peer: float32 square matmul in PyTorch, 2 threads, GFLOPS (median of 5 after a warm-up).
import json
import sys
import time

import torch

torch.set_num_threads(2)
points = []
for n in map(int, sys.argv[1:]):
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    torch.mm(a, b)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    ms = sorted(times)[2] * 1000
    points.append({"n": n, "gflops": 2 * n**3 / ms / 1e6, "runs": 5})
print(json.dumps(points))
