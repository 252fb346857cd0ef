"""PyTorch twin of `descent train dcgan`: a DCGAN on the bundled MNIST training digits (8,000; scaled to [-1, 1]).
Generator: noise 64 -> Linear (no bias) 64x7x7 -> BN -> ReLU -> ConvTranspose 4/2/1 to 32x14x14 -> BN -> ReLU ->
ConvTranspose to 1x28x28 -> tanh. Discriminator: Conv 4/2/1 to 32x14x14 -> LeakyReLU 0.2 -> Conv (no bias) to
64x7x7 -> BN -> LeakyReLU -> Linear 1 (a logit). DCGAN's init (weights N(0, 0.02), BN scales N(1, 0.02), biases 0).
Per batch: the discriminator's step (real -> 1, generated -> 0), then the generator's (generated -> 1), each with
Adam lr 2e-4, betas (0.5, 0.999); batch 64, 20 epochs, seed 0. Writes the last epoch's samples to
/tmp/dcgan-twin-samples.png if torchvision is there.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/dcgan.py"""
import time

import torch
from torch import nn

from common import bundled_mnist, result

SEED, LR, BATCH, EPOCHS, NOISE = 0, 2e-4, 64, 20, 64


class Dcgan(nn.Module):
    def __init__(self):
        super().__init__()
        self.generator = nn.Sequential(
            nn.Linear(NOISE, 64 * 7 * 7, bias=False), nn.BatchNorm1d(64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh())
        self.discriminator = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(32, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(64 * 7 * 7, 1))
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    nn.init.normal_(m.weight, 1, 0.02)
                elif isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                    nn.init.normal_(m.weight, 0, 0.02)
                else:
                    continue
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


(train_x, _), _ = bundled_mnist()
torch.manual_seed(SEED)
gan = Dcgan()
g, d = gan.generator, gan.discriminator
opt_g = torch.optim.Adam(g.parameters(), LR, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(d.parameters(), LR, betas=(0.5, 0.999))
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_x), batch_size=BATCH, shuffle=True, generator=torch.Generator().manual_seed(SEED))
fixed_noise = torch.randn(64, NOISE, generator=torch.Generator().manual_seed(0))
bce = nn.functional.binary_cross_entropy_with_logits
started = time.time()
for epoch in range(1, EPOCHS + 1):
    sums = [0.0, 0.0]
    for (digits,) in loader:
        real = digits * 2 - 1
        n = len(real)
        fake = g(torch.randn(n, NOISE))
        opt_d.zero_grad()
        loss_d = bce(d(real), torch.ones(n, 1)) + bce(d(fake.detach()), torch.zeros(n, 1))
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad()
        loss_g = bce(d(fake), torch.ones(n, 1))
        loss_g.backward()
        opt_g.step()
        sums[0] += loss_d.item()
        sums[1] += loss_g.item()
    print(f"epoch {epoch}: discriminator loss {sums[0] / len(loader):.4f}, generator loss {sums[1] / len(loader):.4f} ({time.time() - started:.1f} s)", flush=True)
seconds = time.time() - started
g.eval()
with torch.no_grad():
    samples = g(fixed_noise)
try:
    import torchvision
    torchvision.utils.save_image(samples, "/tmp/dcgan-twin-samples.png", normalize=True, value_range=(-1, 1))
except ImportError:
    pass
result("dcgan", {"loss_d": sums[0] / len(loader), "loss_g": sums[1] / len(loader)}, seconds)
