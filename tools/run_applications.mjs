// Trains every application recipe with its defaults and runs its PyTorch twin, one at a time, then prints the
// results table of docs/applications.md (figure on held-out data, seconds, whether the bar is met).
//
//   npm run build && node tools/run_applications.mjs [--data DIR] [--out DIR] [--nice N] [--table] [NAME ...]
//
// NAME: recipes to run (default all). Each result is saved in OUT/results.json as soon as it is measured (a later
// run replaces only the recipes it runs); --table prints the table from that file without training anything.
// The twins run with OPENBLAS_NUM_THREADS=1 and TWIN_THREADS=1 (one torch thread), as descent runs here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Each recipe: its twin (script and argument), the figure of each side, and the bar. */
const APPLICATIONS = {
  'fashion-cnn': { twin: ['fashion_cnn.py'], ours: 'val_accuracy', theirs: 'test_accuracy', bar: (v) => v >= 0.91, barText: 'test accuracy >= 91%', percent: true },
  'char-gpt': { twin: ['char_gpt.py'], ours: 'val_loss', theirs: 'val_loss', bar: (v) => v <= 1.85, barText: 'val loss <= 1.85 nats/char' },
  'names-mlp': { twin: ['names_mlp.py'], ours: 'val_loss', theirs: 'val_loss', bar: (v) => v <= 2.25, barText: 'val loss <= 2.25 nats/char' },
  'sms-spam': { twin: ['text.py', 'sms-spam'], ours: 'val_accuracy', theirs: 'test_accuracy', bar: (v) => v >= 0.97, barText: 'test accuracy >= 97%', percent: true },
  sentiment: { twin: ['text.py', 'sentiment'], ours: 'val_accuracy', theirs: 'test_accuracy', barText: '(reported)', percent: true },
  'speech-digits': { twin: ['speech_digits.py'], ours: 'val_accuracy', theirs: 'test_accuracy', bar: (v) => v >= 0.95, barText: 'test accuracy >= 95%', percent: true },
  'movielens-mf': { twin: ['movielens.py', 'mf'], ours: 'val_rmse', theirs: 'test_rmse', bar: (v) => v <= 0.9, barText: 'test RMSE <= 0.90' },
  'movielens-ncf': { twin: ['movielens.py', 'ncf'], ours: 'val_rmse', theirs: 'test_rmse', bar: (v) => v <= 0.9, barText: 'test RMSE <= 0.90' },
  vae: { twin: ['vae.py'], ours: 'val_loss', theirs: 'test_elbo', negateOurs: true, barText: 'test ELBO reported (nats/image)' },
  dcgan: { twin: ['dcgan.py'], ours: 'generator_loss', theirs: 'loss_g', barText: 'samples + both losses (last G loss shown)' },
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', default: process.env.DESCENT_DATA ?? '../shared/data' },
    out: { type: 'string', default: '/tmp/runs' },
    nice: { type: 'string', default: '10' },
    table: { type: 'boolean', default: false },
  },
});
const unknown = positionals.filter((name) => !(name in APPLICATIONS));
if (unknown.length > 0) throw new Error(`run_applications: unknown recipe ${unknown.join(', ')}; known: ${Object.keys(APPLICATIONS).join(', ')}`);
const names = positionals.length > 0 ? positionals : Object.keys(APPLICATIONS);
const resultsFile = join(values.out, 'results.json');
const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};

/** Runs a command under nice; returns its RESULT json (or the reason there is none). */
function measure(command, args, env) {
  const r = spawnSync('nice', ['-n', values.nice, command, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  const line = /^RESULT (.*)$/m.exec(r.stdout ?? '');
  if (!line) return { error: `exit ${r.status}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}` };
  return JSON.parse(line[1]);
}

function save() {
  mkdirSync(values.out, { recursive: true });
  writeFileSync(`${resultsFile}.tmp`, JSON.stringify(results, null, 2));
  renameSync(`${resultsFile}.tmp`, resultsFile);
}

if (!values.table) {
  for (const name of names) {
    const app = APPLICATIONS[name];
    const dir = join(values.out, name);
    rmSync(dir, { recursive: true, force: true });
    process.stderr.write(`${name}: descent ...\n`);
    const ours = measure(process.execPath, ['dist/cli/main.js', 'train', name, '--data', values.data, '--out', dir, '--json']);
    process.stderr.write(`${name}: PyTorch twin ...\n`);
    const theirs = measure('/usr/bin/python3', [join('bench/twins', app.twin[0]), ...app.twin.slice(1)], {
      DESCENT_DATA: values.data, OPENBLAS_NUM_THREADS: '1', TWIN_THREADS: '1',
    });
    results[name] = { ours, theirs, measured: new Date().toISOString() };
    save();
  }
}

const figure = (app, result, key, negate) => {
  if (!result) return 'not run';
  if (result.error) return `failed (${result.error})`;
  const v = (negate ? -1 : 1) * result[key];
  return app.percent ? `${(100 * v).toFixed(2)}%` : v.toFixed(3);
};
const met = (app, result) => {
  if (!app.bar) return 'reported';
  if (!result || result.error) return '?';
  return app.bar(result[app.ours]) ? 'yes' : 'no';
};
console.log('| recipe | bar | descent | s | PyTorch twin | s | bar met |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, app] of Object.entries(APPLICATIONS)) {
  const r = results[name];
  const secs = (x) => (x && !x.error ? Math.round(x.seconds).toString() : '');
  console.log(`| \`${name}\` | ${app.barText} | ${figure(app, r?.ours, app.ours, app.negateOurs)} | ${secs(r?.ours)} | ${figure(app, r?.theirs, app.theirs)} | ${secs(r?.theirs)} | ${met(app, r?.ours)} |`);
}
