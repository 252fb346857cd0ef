"""PyTorch twin of `descent train fashion-cnn`: the CNN of npm start at 16 channels (conv-BN-ReLU, max-pool, a
residual block of two conv-BN, ReLU, max-pool, linear) on Fashion-MNIST; Adam, one-cycle to 0.01, batch 64,
4 epochs, seed 0. Same initial weights and batches as descent.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/fashion_cnn.py"""

import torch
from torch import nn

from common import fashion_mnist, fit, loaders, one_cycle, result
from torch_cnn import mnist_cnn

SEED, LR, BATCH, EPOCHS, C = 0, 0.01, 64, 4, 16

train, test = fashion_mnist()
torch.manual_seed(SEED)
model = mnist_cnn(C)
train_loader, test_loader = loaders(train, test, BATCH, SEED)
opt = torch.optim.Adam(model.parameters(), LR)
val, seconds = fit(model, train_loader, test_loader, nn.functional.cross_entropy, opt, EPOCHS, one_cycle(opt, LR, EPOCHS, train_loader), metrics=("accuracy",))
result("fashion-cnn", {"test_accuracy": val["accuracy"], "test_loss": val["loss"]}, seconds)
