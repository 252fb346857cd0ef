"""PyTorch peer of bench/nn-seq.ts: the same workloads on one CPU thread (torch_env.py's default); prints a JSON object of ms per run."""
import json
import time

from torch_env import torch



def ms_per_run(fn, reps=5):
    fn()
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - start) / reps * 1000


torch.manual_seed(0)
lstm = torch.nn.LSTM(32, 64)
x = torch.randn(50, 16, 32)
layer = torch.nn.TransformerEncoderLayer(64, 4, 128, 0.0, batch_first=True)
tokens = torch.randn(8, 32, 64)
logits = torch.randn(100, 8, 30, requires_grad=True)
targets = torch.randint(1, 30, (8, 20))
scores = torch.randn(256, 1000, requires_grad=True)
labels = torch.randint(0, 1000, (256,))
print(json.dumps({
    "lstm": ms_per_run(lambda: lstm(x)[0].sum().backward()),
    "encoder": ms_per_run(lambda: layer(tokens).sum().backward()),
    "ctc": ms_per_run(lambda: torch.nn.functional.ctc_loss(logits.log_softmax(2), targets, [100] * 8, [20] * 8).backward()),
    "crossEntropy": ms_per_run(lambda: torch.nn.functional.cross_entropy(scores, labels, label_smoothing=0.1).backward()),
}))
