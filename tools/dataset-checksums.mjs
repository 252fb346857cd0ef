// Prints the size and sha256 of every file of the dataset catalog (src/data/datasets.ts) as found in a data
// folder: the decompressed content of .gz files, and for FSDD's recordings folder the tree digest (sha256 of
// the sorted "name sha256" lines). Run: node tools/dataset-checksums.mjs [../shared/data]
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const root = process.argv[2] ?? process.env.DESCENT_DATA ?? '../shared/data';
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const files = {
  'fashion-mnist': ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
  tinyshakespeare: ['input.txt'],
  names: ['names.txt'],
  'sms-spam': ['SMSSpamCollection'],
  'sentiment-sentences': ['amazon_cells_labelled.txt', 'imdb_labelled.txt', 'yelp_labelled.txt'],
  'ml-latest-small': ['ratings.csv', 'movies.csv', 'tags.csv', 'links.csv', 'README.txt'],
};
for (const [folder, names] of Object.entries(files)) {
  for (const name of names) {
    let bytes = readFileSync(join(root, folder, name));
    if (name.endsWith('.gz')) bytes = gunzipSync(bytes);
    console.log(JSON.stringify({ folder, name, size: bytes.length, sha256: sha256(bytes) }));
  }
}
const recordings = join(root, 'fsdd', 'recordings');
const names = readdirSync(recordings).filter((n) => n.endsWith('.wav')).sort();
const lines = names.map((n) => `${n} ${sha256(readFileSync(join(recordings, n)))}\n`).join('');
console.log(JSON.stringify({ folder: 'fsdd', name: 'recordings/', count: names.length, treeSha256: sha256(lines) }));
