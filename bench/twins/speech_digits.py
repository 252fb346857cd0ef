"""PyTorch twin of `descent train speech-digits`: the Free Spoken Digit Dataset's standard split (index 0-4 of every
speaker and digit held out), each recording cut or zero-padded to 8,000 samples (1 s), log-mel features (STFT 256,
hop 80, Hann window, 40 mels, dB at most 80 below each clip's peak; torchaudio's formulas from tools/torchaudio_ref.py),
standardized by the training features' mean and standard deviation; CNN: three conv-BN-ReLU blocks (16, 32, 32
channels) each followed by max-pooling, flatten, dropout 0.3, linear; Adam, one-cycle to 3e-3, batch 32, 8 epochs,
seed 0. Same weights and batches as descent.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/twins/speech_digits.py"""
import os
import wave

import torch
from torch import nn

from common import data_dir, fit, loaders, one_cycle, result
from torchaudio_ref import amplitude_to_db, mel_spectrogram

SEED, LR, BATCH, EPOCHS, RATE, LENGTH = 0, 3e-3, 32, 8, 8000, 8000


def read(path):
    with wave.open(path) as w:
        x = torch.frombuffer(bytearray(w.readframes(w.getnframes())), dtype=torch.int16).to(torch.float32) / 32768
    x = x[:LENGTH]
    return nn.functional.pad(x, (0, LENGTH - len(x))).unsqueeze(0)


def features(waves):
    chunks = [amplitude_to_db(mel_spectrogram(waves[i:i + 250], RATE, n_fft=256, hop_length=80, n_mels=40), 10.0, 1e-10, 0.0, 80.0)
              for i in range(0, len(waves), 250)]
    return torch.cat(chunks)


folder = os.path.join(data_dir("fsdd"), "recordings")
names = sorted(n for n in os.listdir(folder) if n.endswith(".wav"))
parts = {"train": [], "test": []}
for n in names:
    digit, _, index = n[:-4].split("_")
    parts["test" if int(index) <= 4 else "train"].append((read(os.path.join(folder, n)), int(digit)))
(xtr, ytr), (xte, yte) = [(features(torch.stack([w for w, _ in parts[p]])), torch.tensor([d for _, d in parts[p]])) for p in ("train", "test")]
mean, std = xtr.mean().item(), xtr.std().item()
train, test = ((xtr - mean) / std, ytr), ((xte - mean) / std, yte)


def conv_block(i, o):
    return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]


torch.manual_seed(SEED)
model = nn.Sequential(*conv_block(1, 16), nn.MaxPool2d(2), *conv_block(16, 32), nn.MaxPool2d(2), *conv_block(32, 32), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Dropout(0.3), nn.Linear(32 * 5 * 12, 10))
train_loader, test_loader = loaders(train, test, BATCH, SEED)
opt = torch.optim.Adam(model.parameters(), LR)
val, seconds = fit(model, train_loader, test_loader, nn.functional.cross_entropy, opt, EPOCHS, one_cycle(opt, LR, EPOCHS, train_loader), metrics=("accuracy",))
result("speech-digits", {"test_accuracy": val["accuracy"], "test_loss": val["loss"]}, seconds)
