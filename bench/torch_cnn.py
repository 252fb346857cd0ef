"""The CNN of descent's mnist-cnn and fashion-cnn recipes in PyTorch (src/cli/apps/mnist.ts mnistCnn), for the
benchmark twins (torch_models.py) and the recipe twins (twins/fashion_cnn.py)."""
from torch import nn


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return x + self.fn(x)


def mnist_cnn(c=8):
    """conv-BN-ReLU, max-pool, a residual block of two conv-BN, ReLU, max-pool, linear; c channels."""
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(
        *block(1, c), nn.MaxPool2d(2),
        Residual(nn.Sequential(*block(c, c), nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))),
        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(c * 7 * 7, 10),
    )
