"""PyTorch twin of `descent train vae`: an MLP VAE (784-400-20 encoder giving mean and log-variance, 20-400-784
decoder giving Bernoulli logits) on Fashion-MNIST; loss the negative ELBO per image (summed binary cross-entropy of
one reparameterized sample + KL to N(0, I)); Adam lr 1e-3, batch 128, 10 epochs, seed 0. Same weights and batches
as descent. Reports the test ELBO (nats per image, the mean of one sample per image).
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/vae.py"""
import torch
from torch import nn

from common import fashion_mnist, fit, loaders, result

SEED, LR, BATCH, EPOCHS, LATENT = 0, 1e-3, 128, 10, 20


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU())
        self.mu = nn.Linear(400, LATENT)
        self.log_var = nn.Linear(400, LATENT)
        self.decoder = nn.Sequential(nn.Linear(LATENT, 400), nn.ReLU(), nn.Linear(400, 784))

    def negative_elbo(self, images):
        h = self.encoder(images)
        mu, log_var = self.mu(h), self.log_var(h)
        z = mu + (0.5 * log_var).exp() * torch.randn_like(mu)
        reconstruction = nn.functional.binary_cross_entropy_with_logits(self.decoder(z), images.flatten(1), reduction="none").sum(1)
        kl = -0.5 * (1 + log_var - mu.pow(2) - log_var.exp()).sum(1)
        return reconstruction + kl


train, test = fashion_mnist()
torch.manual_seed(SEED)
model = Vae()
train_loader, test_loader = loaders(train, test, BATCH, SEED)
opt = torch.optim.Adam(model.parameters(), LR)
val, seconds = fit(model, train_loader, test_loader, lambda neg_elbo, _: neg_elbo.mean(), opt, EPOCHS,
                   forward=lambda m, batch: (m.negative_elbo(batch[0]), batch[0]))
result("vae", {"test_elbo": -val["loss"]}, seconds)
