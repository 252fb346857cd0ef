"""Reference values for WAV reading, stft, mel filterbanks, mel spectrograms and decibels (PyTorch 1.13).
Run: /usr/bin/python3 tools/gen_audio_fixtures.py  (writes test/fixtures/audio.json; reads ../shared/data/fsdd)

The signal is a real recording of the Free Spoken Digit Dataset (../shared/data/fsdd, or $DESCENT_DATA/fsdd; see its PROVENANCE.md),
read with Python's wave module (int16 / 32768, as torchaudio.load). torch.stft gives the STFT. torchaudio is
not installed here, so its mel filterbank (torchaudio.functional.melscale_fbanks), Spectrogram/MelSpectrogram
and AmplitudeToDB are written out below following torchaudio 0.13's source (torchaudio/functional/functional.py);
the test compares descent with these. Only results and the file's sha256 are stored, not the recording."""
import hashlib
import os
import wave

import torch
from fixtures_common import dump, encode
from torchaudio_ref import amplitude_to_db, mel_spectrogram, melscale_fbanks

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
