"""Thread settings shared by every PyTorch peer; import it before torch: `from torch_env import torch, THREADS`.

DESCENT_BENCH_THREADS (default 1) sets torch's intra-op threads, OMP_NUM_THREADS and MKL_NUM_THREADS.
OpenBLAS keeps 1 thread: Debian's OpenBLAS otherwise starts its own pool beside torch's OpenMP threads,
and the two collapse when another process holds a core (PyTorch's char GPT fell from 30k to 4.7k
tokens/s). A script timing a bare GEMM (torch_w1.py) sets BLAS_THREADS = THREADS before importing this.
DESCENT_BENCH_TORCH_DEVICE (default cpu) is where the peers run: DEVICE, and synchronize() waits for it.
"""
import os

THREADS = int(os.environ.get("DESCENT_BENCH_THREADS", "1"))
BLAS_THREADS = int(os.environ.get("DESCENT_BENCH_BLAS_THREADS", "1"))
os.environ["OMP_NUM_THREADS"] = str(THREADS)
os.environ["MKL_NUM_THREADS"] = str(THREADS)
os.environ["OPENBLAS_NUM_THREADS"] = str(BLAS_THREADS)

import torch  # noqa: E402  (after the variables above: the libraries read them when they load)

torch.set_num_threads(THREADS)
torch.set_num_interop_threads(1)

DEVICE = torch.device(os.environ.get("DESCENT_BENCH_TORCH_DEVICE", "cpu"))
if DEVICE.type == "cuda" and not torch.cuda.is_available():
    raise RuntimeError(f"DESCENT_BENCH_TORCH_DEVICE=cuda but torch.cuda.is_available() is False (PyTorch {torch.__version__})")


def synchronize():
    """Waits for the device's queued kernels (CUDA runs asynchronously); nothing to wait for on the CPU."""
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()
