"""The optimizer-step workload in PyTorch: ms per step of SGD (momentum), Adam or AdamW on 1,000,640 float32
parameters, median of several timings in CPU time, printed as JSON for bench/run.ts.
Usage: torch_optim_step.py RULE (threads: DESCENT_BENCH_THREADS, default 1, matching descent's single thread)."""
import json
import statistics
import sys
import time

from torch_env import torch

rule = sys.argv[1]
SHAPES = [(1024, 784), (1024,), (192, 1024), (192,)]
STEPS, REPEATS = 20, 7
torch.manual_seed(0)
params = [torch.randn(*s, requires_grad=True) for s in SHAPES]
for p in params:
    p.grad = torch.randn(*p.shape) * 1e-2
if rule == "SGD":
    opt = torch.optim.SGD(params, lr=1e-3, momentum=0.9)
elif rule == "Adam":
    opt = torch.optim.Adam(params, lr=1e-3)
else:
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
for _ in range(5):
    opt.step()
times = []
for _ in range(REPEATS):
    start = time.process_time()  # CPU time, as bench/optim-step.ts measures it
    for _ in range(STEPS):
        opt.step()
    times.append((time.process_time() - start) / STEPS * 1000)
print(json.dumps({"msPerStep": statistics.median(times), "threads": torch.get_num_threads()}))
