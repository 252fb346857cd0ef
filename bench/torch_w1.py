# W1 peer: float32 square matmul in PyTorch, GFLOPS (median of 5 after a warm-up). DESCENT_BENCH_THREADS
# threads, OpenBLAS's included: a bare GEMM has no OpenMP threads beside BLAS's to compete with.
import json
import os
import sys
import time

os.environ["DESCENT_BENCH_BLAS_THREADS"] = os.environ.get("DESCENT_BENCH_THREADS", "1")
from torch_env import torch  # noqa: E402
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
