/// <reference types="node" />
// The datasets of the catalog (data/datasets.ts) on disk: found in a folder (offline) or downloaded into a
// cache, verified by size and sha256, and loaded as TensorDatasets or typed records, as torchvision and tfds do.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';
import { TensorDataset } from '../data/dataset.js';
import { parseIdx } from '../data/idx.js';
import {
  type CharVocabulary, DATASETS, type DatasetFile, type DatasetFolder, type DatasetName, type DatasetSpec, type LabelledSentence,
  type Movie, type Ratings, type SmsMessage, type SpokenDigit, charVocabulary, parseMovies, parseRatings, parseSentiment, parseSmsSpam,
  parseSpokenDigitName,
} from '../data/datasets.js';
import { checkKnownOptions } from '../tensor/options.js';
import type { Wav } from '../audio/wav.js';
import { writeFileAtomic } from './files.js';
import { downloadToPart } from './download.js';
import { readTar, readZip } from './archive.js';
import { readWav } from './audio.js';

export interface DatasetOptions {
  /** The folder with one subfolder per dataset, where downloads go. Default $DESCENT_DATASETS or ~/.cache/descent/datasets. */
  root?: string;
  /** This dataset's own folder, for offline use (e.g. '../shared/data/fashion-mnist'); nothing is written there. */
  path?: string;
  /** Fetch missing files from their source into root (verified, then renamed into place). Default false. */
  download?: boolean;
  /** Check every file's size and sha256 before use (once per process). Default true. */
  verify?: boolean;
  /** Further attempts after a cut connection, each resuming the transfer. Default 2. */
  retries?: number;
  /** Maps a catalog URL to the one to fetch (a mirror, or a local server in tests). */
  mirror?: (url: string) => string;
  /** Progress of downloads. */
  onProgress?: (file: string, received: number, total: number | null) => void;
}

const OPTIONS = ['root', 'path', 'download', 'verify', 'retries', 'mirror', 'onProgress'];

/** Where downloads go by default: $DESCENT_DATASETS, or ~/.cache/descent/datasets. */
export function defaultDatasetRoot(): string {
  return process.env.DESCENT_DATASETS ?? join(homedir(), '.cache', 'descent', 'datasets');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

// The bytes a file holds for its loader: .gz files decompressed (so recompressed copies verify alike).
function content(bytes: Uint8Array, name: string): Uint8Array {
  if (!name.endsWith('.gz')) return bytes;
  if (!isGzip(bytes)) return bytes; // an already decompressed copy under the .gz name
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new Error(`${name} does not decompress (${(e as Error).message}): the file is damaged`);
  }
}

function checkContent(spec: DatasetSpec, file: DatasetFile, bytes: Uint8Array, where: string): void {
  const data = content(bytes, file.name);
  if (data.length !== file.size) throw new Error(`${spec.name}: ${where} holds ${data.length} bytes, expected ${file.size}`);
  const digest = sha256(data);
  if (digest !== file.sha256) throw new Error(`${spec.name}: ${where} has sha256 ${digest}, expected ${file.sha256}`);
}

function treeDigest(files: { name: string; data: Uint8Array }[]): string {
  const lines = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((f) => `${f.name} ${sha256(f.data)}\n`).join('');
  return sha256(new TextEncoder().encode(lines));
}

function checkFolder(spec: DatasetSpec, folder: DatasetFolder, files: { name: string; data: Uint8Array }[], where: string): void {
  if (files.length !== folder.count) throw new Error(`${spec.name}: ${where} holds ${files.length} ${folder.suffix} files, expected ${folder.count}`);
  const digest = treeDigest(files);
  if (digest !== folder.treeSha256) throw new Error(`${spec.name}: the files of ${where} have the tree digest ${digest}, expected ${folder.treeSha256}`);
}

const verified = new Set<string>();
const stamp = (path: string) => {
  const s = statSync(path);
  return `${path}:${s.size}:${s.mtimeMs}`;
};

// A file of the dataset in `dir`: as named, or without its .gz (an unpacked copy).
function locate(dir: string, file: DatasetFile): string | null {
  const path = join(dir, file.name);
  if (existsSync(path)) return path;
  const plain = file.name.endsWith('.gz') ? path.slice(0, -3) : null;
  return plain && existsSync(plain) ? plain : null;
}

function folderFiles(dir: string, folder: DatasetFolder): { name: string; path: string }[] {
  const at = join(dir, folder.name);
  return readdirSync(at).filter((n) => n.endsWith(folder.suffix)).map((name) => ({ name, path: join(at, name) }));
}

/**
 * Makes sure a dataset's files are in its folder, downloading missing ones with `download: true`, and checks
 * them; returns the folder. Files are fetched to NAME.part (resumed after a cut), checked, then renamed into
 * place, so a file that exists is always complete. Archive members are extracted the same way.
 * @example const dir = await prepareDataset('names', { download: true }); // ~/.cache/descent/datasets/names
 */
export async function prepareDataset(dataset: DatasetName | DatasetSpec, options: DatasetOptions = {}): Promise<string> {
  checkKnownOptions('prepareDataset', options, OPTIONS);
  const spec = typeof dataset === 'string' ? DATASETS[dataset] : dataset;
  if (!spec) throw new Error(`prepareDataset: unknown dataset '${String(dataset)}' (known: ${Object.keys(DATASETS).join(', ')})`);
  const { root = defaultDatasetRoot(), path, download = false, verify = true } = options;
  const dir = path ?? join(root, spec.folder);
  const missingFiles = spec.files.filter((f) => !locate(dir, f));
  const missingFolders = (spec.folders ?? []).filter((f) => !existsSync(join(dir, f.name)));
  if (missingFiles.length + missingFolders.length > 0) {
    const names = [...missingFiles.map((f) => f.name), ...missingFolders.map((f) => `${f.name}/`)].join(', ');
    if (path !== undefined) throw new Error(`${spec.name}: ${names} not found in ${path} (the path option is for a folder that holds the files; use root and download: true to fetch them)`);
    if (!download) throw new Error(`${spec.name}: ${names} not found in ${dir}; pass download: true to fetch ${spec.title} from ${spec.homepage}, or path: a folder that holds it`);
    mkdirSync(dir, { recursive: true });
    await fetchMissing(spec, dir, missingFiles, missingFolders, options);
  }
  if (verify) {
    for (const file of spec.files) {
      const at = locate(dir, file)!;
      if (verified.has(stamp(at))) continue;
      checkContent(spec, file, readFileSync(at), at);
      verified.add(stamp(at));
    }
    for (const folder of spec.folders ?? []) {
      const at = join(dir, folder.name);
      const key = `${at}:${readdirSync(at).length}:${statSync(at).mtimeMs}`;
      if (verified.has(key)) continue;
      checkFolder(spec, folder, folderFiles(dir, folder).map((f) => ({ name: f.name, data: readFileSync(f.path) })), at);
      verified.add(key);
    }
  }
  return dir;
}

async function fetchMissing(spec: DatasetSpec, dir: string, files: DatasetFile[], folders: DatasetFolder[], options: DatasetOptions): Promise<void> {
  const { mirror = (u: string) => u, retries = 2, onProgress } = options;
  // each URL once: several files can come from one archive
  const urls = [...new Set([...files.map((f) => f.url), ...folders.map((f) => f.url)])];
  for (const url of urls) {
    const stem = basename(new URL(url).pathname) || 'download';
    const part = join(dir, `.${stem}.part`);
    await downloadToPart(mirror(url), part, { retries, onProgress: onProgress && ((r, t) => onProgress(stem, r, t)) });
    try {
      const bytes = new Uint8Array(readFileSync(part));
      const own = files.filter((f) => f.url === url);
      for (const file of own) {
        // a member of an archive, or the download itself
        const data = file.member ? member(bytes, url, file.member) : bytes;
        checkContent(spec, file, data, `${file.name} from ${url}`);
        writeFileAtomic(join(dir, file.name), data);
      }
      for (const folder of folders.filter((f) => f.url === url)) extractFolder(spec, dir, folder, bytes, url);
    } finally {
      rmSync(part, { force: true }); // checked and placed, or refused: either way not kept as a partial file
    }
  }
}

function member(archive: Uint8Array, url: string, name: string): Uint8Array {
  const found = (url.endsWith('.zip') ? readZip(archive, (n) => n === name) : readTar(archive, (n) => n === name))[0];
  if (!found) throw new Error(`${url} has no member ${name}`);
  return found.data;
}

// The folder's files are written to a temporary folder, checked together, then renamed into place.
function extractFolder(spec: DatasetSpec, dir: string, folder: DatasetFolder, archive: Uint8Array, url: string): void {
  const wanted = (n: string) => n.startsWith(folder.member) && n.endsWith(folder.suffix) && !n.slice(folder.member.length).includes('/');
  const members = (url.endsWith('.zip') ? readZip(archive, wanted) : readTar(archive, wanted)).map((m) => ({ name: m.name.slice(folder.member.length), data: m.data }));
  checkFolder(spec, folder, members, `${folder.name}/ from ${url}`);
  const tmp = join(dir, `.${folder.name}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const m of members) writeFileAtomic(join(tmp, m.name), m.data);
  mkdirSync(dirname(join(dir, folder.name)), { recursive: true });
  renameSync(tmp, join(dir, folder.name));
}

// ---- Loaders ----

function readContent(dir: string, file: DatasetFile): Uint8Array {
  const path = locate(dir, file)!;
  return content(readFileSync(path), file.name);
}

function idxPair(spec: DatasetSpec, dir: string, images: string, labels: string): TensorDataset {
  const file = (name: string) => spec.files.find((f) => f.name === name)!;
  const x = parseIdx(readContent(dir, file(images)), { dtype: 'float32', scale: 255 });
  const y = parseIdx(readContent(dir, file(labels)), { dtype: 'int32' });
  return new TensorDataset(x.reshape([x.shape[0], 1, x.shape[1], x.shape[2]]), y);
}

/** The two splits of an image dataset: images float32 [N, 1, 28, 28] in [0, 1], labels int32 [N]. */
export interface ImageSplits {
  train: TensorDataset;
  test: TensorDataset;
}

async function imageSplits(name: 'mnist' | 'fashion-mnist', options: DatasetOptions): Promise<ImageSplits> {
  const dir = await prepareDataset(name, options);
  const spec = DATASETS[name];
  return {
    train: idxPair(spec, dir, 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'),
    test: idxPair(spec, dir, 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'),
  };
}

/**
 * The full MNIST (60,000 + 10,000 digits) as TensorDatasets, as torchvision.datasets.MNIST.
 * @example const { train, test } = await datasets.mnist({ download: true });
 */
export function mnist(options: DatasetOptions = {}): Promise<ImageSplits> {
  return imageSplits('mnist', options);
}

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * Fashion-MNIST (60,000 + 10,000 images of 10 clothing classes) as TensorDatasets, as torchvision.datasets.FashionMNIST.
 * @example const { train, test } = await datasets.fashionMnist({ path: '../shared/data/fashion-mnist' });
 */
export function fashionMnist(options: DatasetOptions = {}): Promise<ImageSplits> {
  return imageSplits('fashion-mnist', options);
}

/** A character-level corpus: the text, its vocabulary, and the encoded train and validation parts. */
export interface CharCorpus {
  text: string;
  vocab: CharVocabulary;
  /** int32 [n] character indices of the first 90% (nanoGPT's split). */
  train: Tensor;
  /** int32 [n] of the last 10%. */
  val: Tensor;
}

/**
 * tiny Shakespeare as character indices, split 90% / 10% as nanoGPT's shakespeare_char.
 * @example const { vocab, train, val } = await datasets.tinyShakespeare({ download: true }); // vocab.chars.length 65
 */
export async function tinyShakespeare(options: DatasetOptions = {}): Promise<CharCorpus> {
  const dir = await prepareDataset('tinyshakespeare', options);
  const text = new TextDecoder().decode(readContent(dir, DATASETS.tinyshakespeare.files[0]));
  const vocab = charVocabulary(text);
  const ids = vocab.encode(text);
  const cut = Math.floor(ids.length * 0.9);
  return { text, vocab, train: tensor(ids.slice(0, cut)), val: tensor(ids.slice(cut)) };
}

/** makemore's names: the words and a vocabulary with '.' (the start and end of a word) at index 0. */
export interface Names {
  words: string[];
  vocab: CharVocabulary;
}

/**
 * The 32,033 names of makemore, lowercase, and their vocabulary ('.' then a-z).
 * @example const { words, vocab } = await datasets.names({ download: true }); // vocab.chars.length 27
 */
export async function names(options: DatasetOptions = {}): Promise<Names> {
  const dir = await prepareDataset('names', options);
  const words = new TextDecoder().decode(readContent(dir, DATASETS.names.files[0])).split('\n').map((w) => w.trim()).filter((w) => w.length > 0);
  return { words, vocab: charVocabulary(words.join(''), ['.']) };
}

/**
 * The SMS Spam Collection as { label, text } records (in the file's order: not shuffled, not split).
 * @example const messages = await datasets.smsSpam({ download: true }); // 5,574, 747 spam
 */
export async function smsSpam(options: DatasetOptions = {}): Promise<SmsMessage[]> {
  const dir = await prepareDataset('sms-spam', options);
  return parseSmsSpam(new TextDecoder().decode(readContent(dir, DATASETS['sms-spam'].files[0])));
}

/**
 * Sentiment Labelled Sentences: 3,000 { source, text, label } records (Amazon, IMDb, then Yelp).
 * @example const sentences = await datasets.sentimentSentences({ download: true });
 */
export async function sentimentSentences(options: DatasetOptions = {}): Promise<LabelledSentence[]> {
  const dir = await prepareDataset('sentiment-sentences', options);
  const sources = ['amazon', 'imdb', 'yelp'] as const;
  return DATASETS['sentiment-sentences'].files.flatMap((file, i) => parseSentiment(new TextDecoder().decode(readContent(dir, file)), sources[i]));
}

/** A recording of FSDD: what its name says, where it is, and (with loadAudio) its samples. */
export interface SpokenDigitRecording extends SpokenDigit {
  path: string;
  /** [1, frames] float32 at 8 kHz, when loaded. */
  waveform?: Tensor;
  sampleRate?: number;
}

/**
 * The Free Spoken Digit Dataset's 3,000 recordings, sorted by name, with the dataset's split (index 0-4: test);
 * the waveforms are read too unless `loadAudio: false`.
 * @example const recordings = await datasets.fsdd({ path: '../shared/data/fsdd' }); recordings.filter((r) => r.split === 'test').length // 300
 */
export async function fsdd(options: DatasetOptions & { loadAudio?: boolean } = {}): Promise<SpokenDigitRecording[]> {
  const { loadAudio = true, ...rest } = options;
  const dir = await prepareDataset('fsdd', rest);
  const folder = DATASETS.fsdd.folders![0];
  return folderFiles(dir, folder).sort((a, b) => (a.name < b.name ? -1 : 1)).map(({ name, path }) => {
    const record: SpokenDigitRecording = { ...parseSpokenDigitName(name), path };
    if (loadAudio) {
      const wav: Wav = readWav(path);
      record.waveform = wav.waveform;
      record.sampleRate = wav.sampleRate;
    }
    return record;
  });
}

/** MovieLens latest-small: the ratings as columns and the movies. */
export interface MovieLens {
  ratings: Ratings;
  movies: Movie[];
}

/**
 * MovieLens latest-small: 100,836 ratings as columns (userId, movieId, rating, timestamp) and 9,742 movies.
 * @example const { ratings, movies } = await datasets.movieLens({ download: true });
 */
export async function movieLens(options: DatasetOptions = {}): Promise<MovieLens> {
  const dir = await prepareDataset('ml-latest-small', options);
  const files = DATASETS['ml-latest-small'].files;
  const text = (name: string) => new TextDecoder().decode(readContent(dir, files.find((f) => f.name === name)!));
  return { ratings: parseRatings(text('ratings.csv')), movies: parseMovies(text('movies.csv')) };
}
