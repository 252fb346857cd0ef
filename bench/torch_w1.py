# W1 peer: float32 square matmul in PyTorch, GFLOPS (median of 5 after a warm-up). DESCENT_BENCH_THREADS
# threads, OpenBLAS's included: a bare GEMM has no OpenMP threads beside BLAS's to compete with. On CUDA
# (DESCENT_BENCH_TORCH_DEVICE=cuda) products are timed in batches of ~50 ms between synchronizations, as
# bench/w1.ts times the WebGPU libraries, with TF32 off (float32 products, as WebGPU's).
import json
import os
import sys
import time

os.environ["DESCENT_BENCH_BLAS_THREADS"] = os.environ.get("DESCENT_BENCH_THREADS", "1")
from torch_env import DEVICE, synchronize, torch  # noqa: E402

torch.backends.cuda.matmul.allow_tf32 = False


def timed(a, b, count):
    synchronize()
    start = time.perf_counter()
    for _ in range(count):
        torch.mm(a, b)
    synchronize()
    return (time.perf_counter() - start) / count


points = []
for n in map(int, sys.argv[1:]):
    a = torch.randn(n, n).to(DEVICE)
    b = torch.randn(n, n).to(DEVICE)
    timed(a, b, 1)
    count = 1
    if DEVICE.type == "cuda":
        count = max(1, min(-(-0.05 // timed(a, b, 1)), 2**30 // (4 * n * n), 100))
    times = [timed(a, b, int(count)) for _ in range(5)]
    ms = sorted(times)[2] * 1000
    points.append({"n": n, "gflops": 2 * n**3 / ms / 1e6, "runs": 5})
print(json.dumps(points))
