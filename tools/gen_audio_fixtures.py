"""Reference values for WAV reading, stft, mel filterbanks, mel spectrograms and decibels (PyTorch 1.13).
Run: /usr/bin/python3 tools/gen_audio_fixtures.py  (writes test/fixtures/audio.json; reads ../shared/data/fsdd)

The signal is a real recording of the Free Spoken Digit Dataset (../shared/data/fsdd, or $DESCENT_DATA/fsdd; see its PROVENANCE.md),
read with Python's wave module (int16 / 32768, as torchaudio.load). torch.stft gives the STFT. torchaudio is
not installed here, so its mel filterbank (torchaudio.functional.melscale_fbanks), Spectrogram/MelSpectrogram
and AmplitudeToDB are written out below following torchaudio 0.13's source (torchaudio/functional/functional.py);
the test compares descent with these. Only results and the file's sha256 are stored, not the recording."""
import hashlib
import math
import os
import wave

import torch
from fixtures_common import dump, encode

# ../shared/data from the project root, or where DESCENT_DATA points
ROOT = os.environ.get("DESCENT_DATA") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
DATA = os.path.join(ROOT, "fsdd", "recordings")
NAME = "3_theo_10.wav"
path = os.path.join(DATA, NAME)
raw = open(path, "rb").read()
with wave.open(path) as w:
    rate = w.getframerate()
    frames = w.readframes(w.getnframes())
signal = torch.frombuffer(bytearray(frames), dtype=torch.int16).to(torch.float32) / 32768


def rounded(t, digits=8):
    e = encode(t)
    e["data"] = [float(f"{v:.{digits}g}") if isinstance(v, float) else v for v in e["data"]]
    return e


# ---- torchaudio 0.13, functional.py ----
def hz_to_mel(freq, mel_scale="htk"):
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + (freq / 700.0))
    f_min, f_sp = 0.0, 200.0 / 3
    mels = (freq - f_min) / f_sp
    min_log_hz = 1000.0
    min_log_mel = (min_log_hz - f_min) / f_sp
    logstep = math.log(6.4) / 27.0
    if freq >= min_log_hz:
        mels = min_log_mel + math.log(freq / min_log_hz) / logstep
    return mels


def mel_to_hz(mels, mel_scale="htk"):
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    f_min, f_sp = 0.0, 200.0 / 3
    freqs = f_min + f_sp * mels
    min_log_hz = 1000.0
    min_log_mel = (min_log_hz - f_min) / f_sp
    logstep = math.log(6.4) / 27.0
    log_t = mels >= min_log_mel
    freqs[log_t] = min_log_hz * torch.exp(logstep * (mels[log_t] - min_log_mel))
    return freqs


def melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None, mel_scale="htk"):
    all_freqs = torch.linspace(0, sample_rate // 2, n_freqs)
    m_min = hz_to_mel(f_min, mel_scale=mel_scale)
    m_max = hz_to_mel(f_max, mel_scale=mel_scale)
    m_pts = torch.linspace(m_min, m_max, n_mels + 2)
    f_pts = mel_to_hz(m_pts, mel_scale=mel_scale)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)
    zero = torch.zeros(1)
    down_slopes = (-1.0 * slopes[:, :-2]) / f_diff[:-1]
    up_slopes = slopes[:, 2:] / f_diff[1:]
    fb = torch.max(zero, torch.min(down_slopes, up_slopes))
    if norm is not None and norm == "slaney":
        enorm = 2.0 / (f_pts[2 : n_mels + 2] - f_pts[:n_mels])
        fb *= enorm.unsqueeze(0)
    return fb


def spectrogram(waveform, pad, window, n_fft, hop_length, win_length, power, normalized, center=True, pad_mode="reflect", onesided=True):
    if pad > 0:
        waveform = torch.nn.functional.pad(waveform, (pad, pad), "constant")
    shape = waveform.size()
    waveform = waveform.reshape(-1, shape[-1])
    spec_f = torch.stft(input=waveform, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window,
                        center=center, pad_mode=pad_mode, normalized=False, onesided=onesided, return_complex=True)
    spec_f = spec_f.reshape(shape[:-1] + spec_f.shape[-2:])
    if normalized:
        spec_f /= window.pow(2.0).sum().sqrt()
    if power == 1.0:
        return spec_f.abs()
    return spec_f.abs().pow(power)


def mel_spectrogram(waveform, sample_rate, n_fft=400, win_length=None, hop_length=None, f_min=0.0, f_max=None, n_mels=128, power=2.0, norm=None, mel_scale="htk"):
    win_length = win_length if win_length is not None else n_fft
    hop_length = hop_length if hop_length is not None else win_length // 2
    f_max = f_max if f_max is not None else float(sample_rate // 2)
    window = torch.hann_window(win_length)
    spec = spectrogram(waveform, 0, window, n_fft, hop_length, win_length, power, False)
    fb = melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sample_rate, norm, mel_scale)
    return torch.matmul(spec.transpose(-1, -2), fb).transpose(-1, -2)


def amplitude_to_db(x, multiplier, amin, db_multiplier, top_db=None):
    x_db = multiplier * torch.log10(torch.clamp(x, min=amin))
    x_db -= multiplier * db_multiplier
    if top_db is not None:
        shape = x_db.size()
        packed_channels = shape[-3] if x_db.dim() > 2 else 1
        x_db = x_db.reshape(-1, packed_channels, shape[-2], shape[-1])
        x_db = torch.max(x_db, (x_db.amax(dim=(-3, -2, -1)) - top_db).view(-1, 1, 1, 1))
        x_db = x_db.reshape(shape)
    return x_db


out = {"file": NAME, "sha256": hashlib.sha256(raw).hexdigest(), "sampleRate": rate, "frames": signal.numel(),
       "head": signal[:8].tolist(), "sum": float(signal.double().sum()), "sumSquares": float(signal.double().pow(2).sum())}

out["windows"] = {"hann_8": encode(torch.hann_window(8)), "hann_8_symmetric": encode(torch.hann_window(8, periodic=False)),
                  "hamming_7": encode(torch.hamming_window(7)), "hann_5_f64": encode(torch.hann_window(5, dtype=torch.float64))}

stfts = []
for name, x, n_fft, options in [
    ("hann_256_hop64_f32", signal, 256, {"hopLength": 64, "window": "hann"}),
    ("rect_128_default_hop_f64", signal[:700].double(), 128, {}),
    ("hamming_win48_of_64_no_center_normalized_twosided_f64", signal[200:900].double(), 64,
     {"hopLength": 40, "winLength": 48, "window": "hamming", "center": False, "normalized": True, "onesided": False}),
    ("batch_constant_pad_f64", torch.stack([signal[:300], signal[300:600]]).double(), 32, {"hopLength": 16, "window": "hann", "padMode": "constant"}),
]:
    win_length = options.get("winLength", n_fft)
    window = None
    if options.get("window") == "hann":
        window = torch.hann_window(win_length, dtype=x.dtype)
    elif options.get("window") == "hamming":
        window = torch.hamming_window(win_length, dtype=x.dtype)
    spec = torch.stft(x, n_fft, hop_length=options.get("hopLength"), win_length=win_length, window=window,
                      center=options.get("center", True), pad_mode=options.get("padMode", "reflect"),
                      normalized=options.get("normalized", False), onesided=options.get("onesided", True), return_complex=False)
    stfts.append({"name": name, "input": {"start": 0}, "nFft": n_fft, "options": options, "dtype": "float32" if x.dtype == torch.float32 else "float64",
                  "output": rounded(spec, 8 if x.dtype == torch.float32 else 13)})
out["stft"] = stfts
# where each stft case's input comes from in the recording (so the test rebuilds it)
out["stft"][0]["input"] = {"from": 0, "to": signal.numel()}
out["stft"][1]["input"] = {"from": 0, "to": 700}
out["stft"][2]["input"] = {"from": 200, "to": 900}
out["stft"][3]["input"] = {"batch": [[0, 300], [300, 600]]}

out["filterbanks"] = [
    {"nFreqs": 129, "nMels": 40, "sampleRate": 8000, "options": {}, "fb": rounded(melscale_fbanks(129, 0.0, 4000.0, 40, 8000))},
    {"nFreqs": 201, "nMels": 64, "sampleRate": 16000, "options": {"fMin": 20, "fMax": 7600, "norm": "slaney", "melScale": "slaney"},
     "fb": rounded(melscale_fbanks(201, 20.0, 7600.0, 64, 16000, "slaney", "slaney"))},
]
mel = mel_spectrogram(signal.unsqueeze(0), rate, n_fft=256, hop_length=80, n_mels=40)
out["melSpectrogram"] = {"options": {"nFft": 256, "hopLength": 80, "nMels": 40}, "output": rounded(mel)}
out["amplitudeToDb"] = {"topDb80": rounded(amplitude_to_db(mel, 10.0, 1e-10, 0.0, 80.0)), "plain": rounded(amplitude_to_db(mel, 10.0, 1e-10, 0.0))}
dump("audio", out)
