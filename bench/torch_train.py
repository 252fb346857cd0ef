# W2/W3 peer: the same schedule as bench/training.ts in PyTorch on the same samples.
# usage: torch_train.py mlp|cnn EPOCHS DATA.bin (threads: DESCENT_BENCH_THREADS, device: DESCENT_BENCH_TORCH_DEVICE,
# see torch_env.py; on CUDA the data sit on the GPU and the timing waits for it)
import json
import sys
import time

import numpy as np
from torch_env import DEVICE, synchronize, torch
from torch import nn

torch.manual_seed(0)
kind, epochs, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]

raw = open(path, "rb").read()
n_train, n_test, pixels = np.frombuffer(raw, dtype=np.int32, count=3)
at = 12
def take(dtype, count):
    global at
    out = np.frombuffer(raw, dtype=dtype, count=count, offset=at)
    at += out.nbytes
    return torch.from_numpy(out.copy()).to(DEVICE)
train_x = take(np.float32, n_train * pixels).view(n_train, pixels)
train_y = take(np.int32, n_train).long()
test_x = take(np.float32, n_test * pixels).view(n_test, pixels)
test_y = take(np.int32, n_test).long()

if kind == "mlp":
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    shape = (-1, 784)
else:
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 5 * 5, 10),
    )
    shape = (-1, 1, 28, 28)
model.to(DEVICE)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
BATCH = 128

def step(i):
    x = train_x[i:i + BATCH].view(*shape)
    y = train_y[i:i + BATCH]
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()

step(0)  # warm-up
sps = 0.0
loss = 0.0
for epoch in range(epochs):
    synchronize()
    start = time.perf_counter()
    for i in range(0, n_train, BATCH):
        loss = step(i)
    if epoch == 0:
        synchronize()
        sps = n_train / (time.perf_counter() - start)
with torch.no_grad():
    predicted = model(test_x.view(*shape)).argmax(1)
accuracy = (predicted == test_y).float().mean().item()
print(json.dumps({"samplesPerSecond": sps, "accuracy": accuracy, "epochs": epochs, "finalLoss": loss, "timedSamples": int(n_train)}))
