import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { progressBar } from '../../src/node/index.js';
import { mlp, trainerFor } from '../train/setup.js';

function capture(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const s = new Writable({ write(chunk, _enc, done) { s.text += chunk.toString(); done(); } }) as Writable & { isTTY: boolean; text: string };
  s.isTTY = isTTY;
  s.text = '';
  return s;
}

test('progress: plain lines with loss, metrics, lr and ETA when not a terminal', async () => {
  const stream = capture(false);
  await trainerFor(mlp(), { epochs: 2, callbacks: [progressBar({ stream, linesPerEpoch: 1 })] }).fit();
  const lines = stream.text.trim().split('\n');
  assert.ok(!stream.text.includes('\r'), 'no carriage returns in plain mode');
  assert.equal(lines.length, 5); // per epoch: one midway, one at the end; then the stop reason
  assert.match(lines[0], /^epoch 1\/2 4\/8 \d\d:\d\d<\d\d:\d\d loss \d\.\d{4} accuracy \d\.\d{4} lr 0\.0100$/);
  assert.match(lines[1], /^epoch 1\/2 8\/8 .* lr 0\.0100 \| val_loss \d\.\d{4} val_accuracy \d\.\d{4}$/);
  assert.match(lines[4], /^stopped: reached maxEpochs \(2 epochs\)$/);
});

test('progress: a bar redrawn in place on a terminal', async () => {
  const stream = capture(true);
  await trainerFor(mlp(), { epochs: 1, callbacks: [progressBar({ stream })] }).fit();
  assert.match(stream.text, /\r\x1b\[2Kepoch 1\/1 \[=+\] 8\/8 /);
  assert.match(stream.text, /\| val_loss/);
});
