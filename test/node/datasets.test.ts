// The dataset catalog on disk: every dataset loads and verifies from ../shared/data (offline, the path option),
// and downloads are checked against a local HTTP server on 127.0.0.1 serving those files: a good file, a wrong
// checksum, a connection cut mid-file (resumed with a Range request), archives (zip members, a tar.gz folder).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { data } from '../../src/index.js';
import { datasets, readTar, readZip } from '../../src/node/index.js';
import { crc32 } from '../../src/node/png.js';
import { tempDir, sharedData } from '../helpers.js';

const shared = sharedData();
const skip = shared ? false : 'needs ../shared/data or DESCENT_DATA';
const file = (...parts: string[]) => readFileSync(join(shared!, ...parts));
const fresh = () => tempDir('descent-datasets-');

// ---- a local server: routes map a path to bytes; `cut` serves half a file then drops the connection ----
interface Route {
  body: Uint8Array;
  cut?: number; // drop the connection after this many bytes, this many times
  ignoreRange?: boolean;
}
async function serve(routes: Record<string, Route>): Promise<{ url: (path: string) => string; ranges: string[]; requests: string[]; close: () => Promise<void> }> {
  const ranges: string[] = [];
  const requests: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url!, 'http://x').pathname;
    requests.push(path);
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    let body = route.body;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (req.headers.range) ranges.push(req.headers.range);
    let status = 200;
    const headers: Record<string, string | number> = {};
    if (range && !route.ignoreRange) {
      const start = Number(range[1]);
      if (start >= body.length) {
        res.writeHead(416).end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
      body = body.subarray(start);
    }
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    if (route.cut !== undefined && route.cut > 0) {
      route.cut--;
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    ranges,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// serves the catalog's URLs by their path on the local server
const mirrorTo = (server: { url: (path: string) => string }) => (url: string) => server.url(new URL(url).pathname);
const pathOf = (url: string) => new URL(url).pathname;

// a zip (deflated members) and a tar.gz, written here so the test controls their content
function zip(members: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const packed = deflateRawSync(m.data);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true); lv.setUint16(8, 8, true); lv.setUint32(14, crc32(m.data), true);
    lv.setUint32(18, packed.length, true); lv.setUint32(22, m.data.length, true); lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const entry = new Uint8Array(46 + name.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true); cv.setUint16(10, 8, true); cv.setUint32(16, crc32(m.data), true);
    cv.setUint32(20, packed.length, true); cv.setUint32(24, m.data.length, true); cv.setUint16(28, name.length, true); cv.setUint32(42, offset, true);
    entry.set(name, 46);
    parts.push(local, packed);
    central.push(entry);
    offset += local.length + packed.length;
  }
  const size = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, members.length, true); ev.setUint16(10, members.length, true);
  ev.setUint32(12, size, true); ev.setUint32(16, offset, true);
  return Buffer.concat([...parts, ...central, end]);
}

function tarGz(members: { name: string; data: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const m of members) {
    const header = new Uint8Array(512);
    header.set(new TextEncoder().encode(m.name), 0);
    header.set(new TextEncoder().encode(m.data.length.toString(8).padStart(11, '0')), 124);
    header[156] = '0'.charCodeAt(0);
    header.set(new TextEncoder().encode('ustar'), 257);
    blocks.push(header, m.data, new Uint8Array((512 - (m.data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  return gzipSync(Buffer.concat(blocks));
}

test('every dataset of the catalog loads and verifies from ../shared/data (offline, the path option)', { skip }, async () => {
  const at = (folder: string) => ({ path: join(shared!, folder) });
  const fashion = await datasets.fashionMnist(at('fashion-mnist'));
  assert.deepEqual(fashion.train.tensors[0].shape, [60000, 1, 28, 28]);
  assert.deepEqual(fashion.test.tensors[1].shape, [10000]);
  assert.equal(fashion.train.tensors[0].max().item(), 1);
  const shakespeare = await datasets.tinyShakespeare(at('tinyshakespeare'));
  assert.equal(shakespeare.vocab.chars.length, 65);
  assert.equal(shakespeare.train.numel + shakespeare.val.numel, 1115394);
  assert.equal(shakespeare.vocab.decode(shakespeare.train.slice(0, 0, 14)), 'First Citizen:');
  const names = await datasets.names(at('names'));
  assert.equal(names.words.length, 32033);
  assert.deepEqual(names.vocab.chars.slice(0, 3), ['.', 'a', 'b']);
  assert.equal(names.vocab.chars.length, 27);
  const sms = await datasets.smsSpam(at('sms-spam'));
  assert.equal(sms.length, 5574);
  assert.equal(sms.filter((m) => m.label === 'spam').length, 747);
  const sentences = await datasets.sentimentSentences(at('sentiment-sentences'));
  assert.equal(sentences.length, 3000);
  assert.equal(sentences.filter((s) => s.label === 1).length, 1500);
  assert.ok(sentences.every((s) => s.text === s.text.trim() && s.text.length > 0));
  const fsdd = await datasets.fsdd({ ...at('fsdd'), loadAudio: false });
  assert.equal(fsdd.length, 3000);
  assert.equal(fsdd.filter((r) => r.split === 'test').length, 300);
  assert.deepEqual(new Set(fsdd.map((r) => r.speaker)).size, 6);
  const movies = await datasets.movieLens(at('ml-latest-small'));
  assert.equal(movies.ratings.rating.length, 100836);
  assert.equal(new Set(movies.ratings.userId).size, 610);
  assert.equal(movies.movies.length, 9742);
  assert.equal(movies.movies[0].title, 'Toy Story (1995)');
});

test('a missing dataset says how to get it; a damaged file is refused', { skip }, async () => {
  const root = fresh();
  await assert.rejects(datasets.names({ root }), /names: names.txt not found in .*; pass download: true to fetch/);
  await assert.rejects(datasets.names({ path: root }), /names: names.txt not found in .*the path option is for a folder that holds the files/);
  const server = await serve({ [pathOf(data.DATASETS.names.files[0].url)]: { body: file('tinyshakespeare', 'input.txt') } });
  try {
    // wrong checksum: the download is refused and nothing is left behind
    await assert.rejects(datasets.names({ root, download: true, mirror: mirrorTo(server) }), /names: names.txt from .* holds 1115394 bytes, expected 228145/);
    assert.deepEqual(readdirSync(join(root, 'names')), []);
  } finally {
    await server.close();
  }
});

test('download: a good file is fetched, verified and placed; no partial file remains', { skip }, async () => {
  const root = fresh();
  const server = await serve({ [pathOf(data.DATASETS.names.files[0].url)]: { body: file('names', 'names.txt') } });
  try {
    const { words } = await datasets.names({ root, download: true, mirror: mirrorTo(server) });
    assert.equal(words.length, 32033);
    assert.deepEqual(readdirSync(join(root, 'names')), ['names.txt']);
    // the second run finds it: no request
    await datasets.names({ root, download: true, mirror: mirrorTo(server) });
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('download: a connection cut mid-file leaves only a .part; the next run resumes it with a Range request', { skip }, async () => {
  const root = fresh();
  const body = file('tinyshakespeare', 'input.txt');
  const route: Route = { body, cut: 1 };
  const server = await serve({ [pathOf(data.DATASETS.tinyshakespeare.files[0].url)]: route });
  try {
    await assert.rejects(datasets.tinyShakespeare({ root, download: true, retries: 0, mirror: mirrorTo(server) }), /the connection broke after|ended after/);
    const left = readdirSync(join(root, 'tinyshakespeare'));
    assert.deepEqual(left, ['.input.txt.part'], 'never a file that looks complete');
    const kept = readFileSync(join(root, 'tinyshakespeare', '.input.txt.part')).length;
    assert.ok(kept > 0 && kept < body.length);
    const { text } = await datasets.tinyShakespeare({ root, download: true, retries: 0, mirror: mirrorTo(server) });
    assert.equal(text.length, body.length);
    assert.deepEqual(server.ranges, [`bytes=${kept}-`]);
    assert.deepEqual(readdirSync(join(root, 'tinyshakespeare')), ['input.txt']);
  } finally {
    await server.close();
  }
});

test('download: within one call a cut is retried; a server that ignores Range restarts the file cleanly', { skip }, async () => {
  const root = fresh();
  const route: Route = { body: file('names', 'names.txt'), cut: 1, ignoreRange: true };
  const server = await serve({ [pathOf(data.DATASETS.names.files[0].url)]: route });
  try {
    const { words } = await datasets.names({ root, download: true, mirror: mirrorTo(server) });
    assert.equal(words.length, 32033);
    assert.equal(server.requests.length, 2);
    assert.equal(server.ranges.length, 1, 'the retry asked to resume');
  } finally {
    await server.close();
  }
  const gone = await serve({});
  try {
    await assert.rejects(datasets.smsSpam({ root, download: true, mirror: mirrorTo(gone) }), /HTTP 404/);
    assert.equal(gone.requests.length, 1, 'a 404 is not retried');
  } finally {
    await gone.close();
  }
});

test('download: zip members (UCI, GroupLens) are extracted and verified; the archive is not kept', { skip }, async () => {
  const root = fresh();
  const spec = data.DATASETS['sentiment-sentences'];
  const archive = zip([
    { name: 'sentiment labelled sentences/readme.txt', data: new TextEncoder().encode('readme') },
    ...spec.files.map((f) => ({ name: f.member!, data: file('sentiment-sentences', f.name) })),
  ]);
  const server = await serve({ [pathOf(spec.files[0].url)]: { body: archive } });
  try {
    const sentences = await datasets.sentimentSentences({ root, download: true, mirror: mirrorTo(server) });
    assert.equal(sentences.length, 3000);
    assert.deepEqual(readdirSync(join(root, 'sentiment-sentences')).sort(), spec.files.map((f) => f.name).sort());
    assert.equal(server.requests.length, 1, 'one archive download for the three files');
  } finally {
    await server.close();
  }
});

test('download: a folder from a tar.gz (FSDD-style) is checked as a whole, then renamed into place', { skip }, async () => {
  const names = ['0_theo_0.wav', '1_theo_7.wav', '9_george_3.wav'];
  const wavs = names.map((name) => ({ name, data: new Uint8Array(file('fsdd', 'recordings', name)) }));
  const lines = [...wavs].sort((a, b) => (a.name < b.name ? -1 : 1)).map((w) => `${w.name} ${createHash('sha256').update(w.data).digest('hex')}\n`).join('');
  const spec: data.DatasetSpec = {
    ...data.DATASETS.fsdd, folder: 'mini-fsdd', files: [],
    folders: [{ name: 'recordings', suffix: '.wav', count: 3, treeSha256: createHash('sha256').update(lines).digest('hex'), url: 'https://example.org/snapshot.tar.gz', member: 'snap/recordings/' }],
  };
  const good = tarGz([{ name: 'snap/README.md', data: new Uint8Array(3) }, ...wavs.map((w) => ({ name: `snap/recordings/${w.name}`, data: w.data }))]);
  const bad = tarGz(wavs.map((w, i) => ({ name: `snap/recordings/${w.name}`, data: i === 1 ? w.data.slice(0, 100) : w.data })));
  const root = fresh();
  const route: Route = { body: bad };
  const server = await serve({ '/snapshot.tar.gz': route });
  try {
    await assert.rejects(datasets.prepareDataset(spec, { root, download: true, mirror: mirrorTo(server) }), /the files of recordings\/ from .* have the tree digest/);
    assert.deepEqual(readdirSync(join(root, 'mini-fsdd')), [], 'no folder, no temporary files');
    route.body = good;
    const dir = await datasets.prepareDataset(spec, { root, download: true, mirror: mirrorTo(server) });
    assert.deepEqual(readdirSync(join(dir, 'recordings')).sort(), names);
  } finally {
    await server.close();
  }
});

test('readZip and readTar read archives written by Python\'s zipfile and tarfile (deflate, stored, pax long names)', () => {
  const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/archives/${name}`, import.meta.url));
  const text = 'ham\tGo until jurong point, crazy..\n'.repeat(20);
  const z = readZip(fixture('members.zip'));
  assert.deepEqual(z.map((m) => m.name), ['data/deflated.txt', 'data/stored.txt']);
  assert.equal(new TextDecoder().decode(z[0].data), text);
  assert.equal(new TextDecoder().decode(z[1].data), 'stored bytes\n');
  const t = readTar(fixture('members.tar.gz'));
  assert.deepEqual(t.map((m) => m.name), ['top/short.txt', `${'a-folder-whose-name-is-long-enough/'.repeat(3)}recordings/0_theo_1.wav`, 'top/empty.txt']);
  assert.equal(new TextDecoder().decode(t[1].data), text);
  assert.throws(() => readZip(new Uint8Array(100)), /not a zip archive/);
});

test('the catalog names a source, size and sha256 for every file of the eight datasets', () => {
  assert.deepEqual(Object.keys(data.DATASETS).sort(), ['fashion-mnist', 'fsdd', 'ml-latest-small', 'mnist', 'names', 'sentiment-sentences', 'sms-spam', 'tinyshakespeare']);
  for (const spec of Object.values(data.DATASETS)) {
    for (const f of spec.files) {
      assert.match(f.sha256, /^[0-9a-f]{64}$/, `${spec.name}/${f.name}`);
      assert.ok(f.size > 0 && f.url.startsWith('https://'), `${spec.name}/${f.name}`);
    }
    assert.ok(spec.files.length + (spec.folders?.length ?? 0) > 0);
  }
  assert.ok(existsSync(new URL('../../../tools/dataset-checksums.mjs', import.meta.url)), 'the script that computes them');
});
