// dt.audio: WAV decoding and the features of speech models (torchaudio's Spectrogram, MelSpectrogram,
// AmplitudeToDB). stft and the windows are also top-level (dt.stft, dt.hannWindow), as in torch.
export { parseWav, encodeWav } from './wav.js';
export type { Wav } from './wav.js';
export { stft, stftMagnitude, hannWindow, hammingWindow } from './stft.js';
export type { StftOptions, WindowOptions } from './stft.js';
export { melFilterbank, spectrogram, melSpectrogram, MelSpectrogram, amplitudeToDb } from './mel.js';
export type { MelScale, MelFilterbankOptions, SpectrogramOptions, MelSpectrogramOptions, AmplitudeToDbOptions } from './mel.js';
