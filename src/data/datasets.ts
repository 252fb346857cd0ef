// The dataset catalog: where each dataset of the applications comes from (URL, or a member of an archive
// at a URL) and what its files must hold (size and sha256 of the content: decompressed for .gz files),
// plus parsers from their text to typed records. Reading, downloading and verifying files is descent/node's
// (datasets.ts there); the checksums come from the copies in ../shared/data (tools/dataset-checksums.mjs).
import { Tensor } from '../tensor/tensor.js';
import { parseCsv } from './csv.js';

/** One file of a dataset, checked by the size and sha256 of its content (for .gz files: once decompressed). */
export interface DatasetFile {
  /** Its path under the dataset's folder. */
  name: string;
  size: number;
  sha256: string;
  /** Where it is downloaded from: the file itself, or an archive holding it as `member`. */
  url: string;
  /** The file's path inside the zip or tar.gz archive at `url`. */
  member?: string;
}

/** A folder of many files (FSDD's recordings), checked as a whole: the count and a digest of every file's sha256. */
export interface DatasetFolder {
  /** Its path under the dataset's folder. */
  name: string;
  /** The files it holds end with this. */
  suffix: string;
  count: number;
  /** sha256 of the lines `NAME SHA256\n` (NAME the file name, SHA256 its digest), sorted by name. */
  treeSha256: string;
  /** An archive (tar.gz or zip) holding the files under `member`. */
  url: string;
  member: string;
}

export interface DatasetSpec {
  name: DatasetName;
  title: string;
  /** The folder under the datasets root. */
  folder: string;
  homepage: string;
  license: string;
  citation?: string;
  files: DatasetFile[];
  folders?: DatasetFolder[];
}

export type DatasetName = 'mnist' | 'fashion-mnist' | 'tinyshakespeare' | 'names' | 'sms-spam' | 'sentiment-sentences' | 'fsdd' | 'ml-latest-small';

const MNIST_URL = 'https://ossci-datasets.s3.amazonaws.com/mnist/'; // torchvision's mirror of yann.lecun.com/exdb/mnist
const FASHION_URL = 'https://github.com/zalandoresearch/fashion-mnist/raw/b2617bb6d3ffa2e429640350f613e3291e10b141/data/fashion/';
const UCI_SMS = 'https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip';
const UCI_SENTIMENT = 'https://archive.ics.uci.edu/static/public/331/sentiment+labelled+sentences.zip';
const MOVIELENS = 'https://files.grouplens.org/datasets/movielens/ml-latest-small.zip';
const FSDD_COMMIT = '26eb9aaf76e81b692f806f9140c2d2777410d7a1';

const idx = (base: string, name: string, size: number, sha256: string): DatasetFile => ({ name, size, sha256, url: base + name });

/** Every dataset of the applications (issue 11), by name. */
export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = {
  mnist: {
    name: 'mnist', title: 'MNIST handwritten digits (60,000 train + 10,000 test, 28x28)', folder: 'mnist',
    homepage: 'http://yann.lecun.com/exdb/mnist/', license: 'CC BY-SA 3.0 (as torchvision and tfds list it)',
    files: [
      idx(MNIST_URL, 'train-images-idx3-ubyte.gz', 47040016, 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db'),
      idx(MNIST_URL, 'train-labels-idx1-ubyte.gz', 60008, '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'),
      idx(MNIST_URL, 't10k-images-idx3-ubyte.gz', 7840016, '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7'),
      idx(MNIST_URL, 't10k-labels-idx1-ubyte.gz', 10008, 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'),
    ],
  },
  'fashion-mnist': {
    name: 'fashion-mnist', title: 'Fashion-MNIST (60,000 train + 10,000 test, 28x28, 10 clothing classes)', folder: 'fashion-mnist',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist', license: 'MIT (Zalando SE)',
    citation: 'Xiao, Rasul, Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.',
    files: [
      idx(FASHION_URL, 'train-images-idx3-ubyte.gz', 47040016, 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888'),
      idx(FASHION_URL, 'train-labels-idx1-ubyte.gz', 60008, 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9'),
      idx(FASHION_URL, 't10k-images-idx3-ubyte.gz', 7840016, '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b'),
      idx(FASHION_URL, 't10k-labels-idx1-ubyte.gz', 10008, '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34'),
    ],
  },
  tinyshakespeare: {
    name: 'tinyshakespeare', title: 'tiny Shakespeare (1,115,394 characters of plays)', folder: 'tinyshakespeare',
    homepage: 'https://github.com/karpathy/char-rnn', license: 'public domain text',
    files: [{ name: 'input.txt', size: 1115394, sha256: '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed', url: 'https://raw.githubusercontent.com/karpathy/char-rnn/6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt' }],
  },
  names: {
    name: 'names', title: '32,033 first names (makemore)', folder: 'names',
    homepage: 'https://github.com/karpathy/makemore', license: 'MIT',
    files: [{ name: 'names.txt', size: 228145, sha256: '0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d', url: 'https://raw.githubusercontent.com/karpathy/makemore/988aa59e4d8fefa526d06f3b453ad116258398d4/names.txt' }],
  },
  'sms-spam': {
    name: 'sms-spam', title: 'SMS Spam Collection (5,574 messages, ham or spam)', folder: 'sms-spam',
    homepage: 'https://archive.ics.uci.edu/dataset/228/sms+spam+collection', license: 'CC BY 4.0 (UCI); free with attribution (authors)',
    citation: 'Almeida, Gómez Hidalgo, Yamakami. Contributions to the Study of SMS Spam Filtering: New Collection and Results. DocEng 2011.',
    files: [{ name: 'SMSSpamCollection', size: 477907, sha256: '7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d', url: UCI_SMS, member: 'SMSSpamCollection' }],
  },
  'sentiment-sentences': {
    name: 'sentiment-sentences', title: 'Sentiment Labelled Sentences (3 x 1,000 reviews: Amazon, IMDb, Yelp)', folder: 'sentiment-sentences',
    homepage: 'https://archive.ics.uci.edu/dataset/331/sentiment+labelled+sentences', license: 'CC BY 4.0',
    citation: 'Kotzias, Denil, de Freitas, Smyth. From Group to Individual Labels using Deep Features. KDD 2015.',
    files: [
      { name: 'amazon_cells_labelled.txt', size: 58226, sha256: '47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3', url: UCI_SENTIMENT, member: 'sentiment labelled sentences/amazon_cells_labelled.txt' },
      { name: 'imdb_labelled.txt', size: 85285, sha256: 'aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d', url: UCI_SENTIMENT, member: 'sentiment labelled sentences/imdb_labelled.txt' },
      { name: 'yelp_labelled.txt', size: 61319, sha256: '891088b9c7235e23fe2814285972f2df823fdc9ff37bf1e1904c7e8ae1001fbb', url: UCI_SENTIMENT, member: 'sentiment labelled sentences/yelp_labelled.txt' },
    ],
  },
  fsdd: {
    name: 'fsdd', title: 'Free Spoken Digit Dataset (3,000 recordings of digits, 8 kHz mono)', folder: 'fsdd',
    homepage: 'https://github.com/Jakobovski/free-spoken-digit-dataset', license: 'CC BY-SA 4.0',
    files: [],
    folders: [{
      name: 'recordings', suffix: '.wav', count: 3000, treeSha256: 'dbd573d7cafe79c4b49f65718115e1304e24e067fa39eff18a660dc6cb9c360f',
      url: `https://github.com/Jakobovski/free-spoken-digit-dataset/archive/${FSDD_COMMIT}.tar.gz`, member: `free-spoken-digit-dataset-${FSDD_COMMIT}/recordings/`,
    }],
  },
  'ml-latest-small': {
    name: 'ml-latest-small', title: 'MovieLens latest-small (100,836 ratings of 9,742 movies by 610 users)', folder: 'ml-latest-small',
    homepage: 'https://grouplens.org/datasets/movielens/', license: 'GroupLens terms: research and non-commercial use, cite, redistribution under the same terms',
    citation: 'Harper, Konstan. The MovieLens Datasets: History and Context. ACM TiiS 5, 4, Article 19, 2015.',
    files: [
      { name: 'ratings.csv', size: 2382886, sha256: '80da8b3393dae325bbba5a31f291a6ba55d8d4f4396de3c456f2c1635b1b70e8', url: MOVIELENS, member: 'ml-latest-small/ratings.csv' },
      { name: 'movies.csv', size: 484688, sha256: 'c47b783f23eb304413307e1bb05335e427737da20ec8d3c0e96335567dd5f3dc', url: MOVIELENS, member: 'ml-latest-small/movies.csv' },
      { name: 'tags.csv', size: 114976, sha256: '68eec00a0820c2faa8863a6df7032f13d5899a4462bce9a97213905297ff3d34', url: MOVIELENS, member: 'ml-latest-small/tags.csv' },
      { name: 'links.csv', size: 188236, sha256: '028a4a1d17751ca9276e0e0718cfc22356350f224a996e1ec348c23274b9209d', url: MOVIELENS, member: 'ml-latest-small/links.csv' },
    ],
  },
};

// ---- Parsers: text to records (the Node loaders read the files and call these) ----

/** A character vocabulary: the sorted distinct characters, with encode/decode between text and indices. */
export interface CharVocabulary {
  chars: string[];
  /** Indices of each character of `text` (int32); unknown characters are an error. */
  encode(text: string): Int32Array;
  decode(indices: ArrayLike<number> | Tensor): string;
}

/**
 * The sorted distinct characters of `text` (with `extra` ones first, e.g. makemore's '.' terminator) and
 * encode/decode, as the character-level models of nanoGPT and makemore build them.
 * @example const vocab = charVocabulary('hello'); vocab.chars // ['e', 'h', 'l', 'o']; vocab.decode(vocab.encode('hole')) // 'hole'
 */
export function charVocabulary(text: string, extra: readonly string[] = []): CharVocabulary {
  const chars = [...extra, ...[...new Set(text)].filter((c) => !extra.includes(c)).sort()];
  const index = new Map(chars.map((c, i) => [c, i]));
  return {
    chars,
    encode(s: string): Int32Array {
      const out = new Int32Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const j = index.get(s[i]);
        if (j === undefined) throw new Error(`charVocabulary.encode: character ${JSON.stringify(s[i])} is not in the vocabulary`);
        out[i] = j;
      }
      return out;
    },
    decode(indices: ArrayLike<number> | Tensor): string {
      const ids = indices instanceof Tensor ? indices.dataSync() : indices;
      let out = '';
      for (let i = 0; i < ids.length; i++) {
        const c = chars[ids[i]];
        if (c === undefined) throw new Error(`charVocabulary.decode: index ${ids[i]} is out of range for ${chars.length} characters`);
        out += c;
      }
      return out;
    },
  };
}

/** One SMS of the SMS Spam Collection. */
export interface SmsMessage {
  label: 'ham' | 'spam';
  text: string;
}

/**
 * Parses SMSSpamCollection: `LABEL<TAB>TEXT` a line, LABEL ham or spam.
 * @example parseSmsSpam('ham\tOk lar...\nspam\tWIN now\n') // [{ label: 'ham', text: 'Ok lar...' }, { label: 'spam', text: 'WIN now' }]
 */
export function parseSmsSpam(text: string): SmsMessage[] {
  return text.split('\n').filter((l) => l.length > 0).map((line, i) => {
    const tab = line.indexOf('\t');
    const label = line.slice(0, tab);
    if (tab < 0 || (label !== 'ham' && label !== 'spam')) throw new Error(`parseSmsSpam: line ${i + 1} is not 'ham|spam<TAB>text': ${JSON.stringify(line.slice(0, 40))}`);
    return { label, text: line.slice(tab + 1).replace(/\r$/, '') };
  });
}

/** One sentence of Sentiment Labelled Sentences: 1 positive, 0 negative. */
export interface LabelledSentence {
  source: 'amazon' | 'imdb' | 'yelp';
  text: string;
  label: 0 | 1;
}

/**
 * Parses one file of Sentiment Labelled Sentences: `SENTENCE<TAB>LABEL` a line. Lines are split on "\n"
 * only (imdb_labelled.txt has U+0085 inside sentences) and sentences trimmed (imdb's end in spaces).
 * @example parseSentiment('Great phone.\t1\n', 'amazon') // [{ source: 'amazon', text: 'Great phone.', label: 1 }]
 */
export function parseSentiment(text: string, source: LabelledSentence['source']): LabelledSentence[] {
  return text.split('\n').filter((l) => l.trim().length > 0).map((line, i) => {
    const tab = line.lastIndexOf('\t');
    const label = line.slice(tab + 1).trim();
    if (tab < 0 || (label !== '0' && label !== '1')) throw new Error(`parseSentiment: line ${i + 1} of ${source} is not 'sentence<TAB>0|1'`);
    return { source, text: line.slice(0, tab).trim(), label: label === '1' ? 1 : 0 };
  });
}

/** MovieLens ratings as columns. */
export interface Ratings {
  userId: Int32Array;
  movieId: Int32Array;
  /** 0.5 to 5 in half stars. */
  rating: Float32Array;
  /** Unix seconds. */
  timestamp: Float64Array;
}

/**
 * Parses MovieLens ratings.csv (`userId,movieId,rating,timestamp` with a header).
 * @example parseRatings('userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n').rating // Float32Array [2.5]
 */
export function parseRatings(text: string): Ratings {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0]?.trim() !== 'userId,movieId,rating,timestamp') throw new Error(`parseRatings: expected the header 'userId,movieId,rating,timestamp', got ${JSON.stringify(lines[0]?.slice(0, 60))}`);
  const n = lines.length - 1;
  const out: Ratings = { userId: new Int32Array(n), movieId: new Int32Array(n), rating: new Float32Array(n), timestamp: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const f = lines[i + 1].split(',');
    const values = f.map(Number);
    if (f.length !== 4 || values.some((v) => !Number.isFinite(v))) throw new Error(`parseRatings: line ${i + 2} is not four numbers: ${JSON.stringify(lines[i + 1])}`);
    [out.userId[i], out.movieId[i], out.rating[i], out.timestamp[i]] = values;
  }
  return out;
}

/** A movie of MovieLens. */
export interface Movie {
  movieId: number;
  title: string;
  genres: string[];
}

/**
 * Parses MovieLens movies.csv (`movieId,title,genres`; titles may be quoted, genres are pipe-separated).
 * @example parseMovies('movieId,title,genres\n1,"Toy Story (1995)",Animation|Comedy\n')[0].genres // ['Animation', 'Comedy']
 */
export function parseMovies(text: string): Movie[] {
  const { columns, rows } = parseCsv(text);
  if (columns.join(',') !== 'movieId,title,genres') throw new Error(`parseMovies: expected the columns movieId,title,genres, got ${columns.join(',')}`);
  return rows.map(([id, title, genres]) => ({ movieId: Number(id), title, genres: genres === '(no genres listed)' ? [] : genres.split('|') }));
}

/** What an FSDD file name says: DIGIT_SPEAKER_INDEX.wav. */
export interface SpokenDigit {
  digit: number;
  speaker: string;
  index: number;
  /** The dataset's own split: recordings with index 0-4 are the test set. */
  split: 'train' | 'test';
}

/**
 * Reads an FSDD recording's name.
 * @example parseSpokenDigitName('7_jackson_32.wav') // { digit: 7, speaker: 'jackson', index: 32, split: 'train' }
 */
export function parseSpokenDigitName(name: string): SpokenDigit {
  const m = /^(\d)_([a-z]+)_(\d+)\.wav$/.exec(name);
  if (!m) throw new Error(`parseSpokenDigitName: expected DIGIT_SPEAKER_INDEX.wav, got ${JSON.stringify(name)}`);
  const index = Number(m[3]);
  return { digit: Number(m[1]), speaker: m[2], index, split: index <= 4 ? 'test' : 'train' };
}
