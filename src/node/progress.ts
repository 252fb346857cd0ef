/// <reference types="node" />
import type { Callback } from '../train/callbacks.js';
import type { Trainer } from '../train/trainer.js';

export interface ProgressOptions {
  /** Where to draw; default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Force the terminal (redrawn bar) or plain-line style; default: the stream's isTTY. */
  tty?: boolean;
  /** Plain style: lines per epoch besides the last (default 4, i.e. every 25%). */
  linesPerEpoch?: number;
  /** Print the stop reason when training ends (default true). */
  showStopReason?: boolean;
}

function formatTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(4);
}

/**
 * A progress bar for `fit`: on a terminal a bar redrawn in place with ETA, loss, metrics and learning rate;
 * when the output is not a terminal (CI, pipes), a few plain lines per epoch and one at its end.
 * @example callbacks: [progressBar()]
 */
export function progressBar(options: ProgressOptions = {}): Callback {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const linesPerEpoch = options.linesPerEpoch ?? 4;
  let epochStart = 0;
  let lastDraw = 0;
  let lossSum = 0;
  let lossCount = 0;
  let nextLine = 0;
  const total = (t: Trainer) => {
    const n = (t.options.data as { length?: unknown }).length;
    return typeof n === 'number' ? n : null;
  };
  const epochsLabel = (t: Trainer, epoch: number) => `epoch ${epoch}${t.options.epochs ? `/${t.options.epochs}` : ''}`;
  const metricsText = (t: Trainer) => t.metrics.map((m) => `${m.name} ${formatValue(m.compute())}`).join(' ');
  const line = (t: Trainer, epoch: number, done: number, lr = t.lr) => {
    const n = total(t);
    const elapsed = Date.now() / 1000 - epochStart;
    const eta = n ? (elapsed / Math.max(done, 1)) * (n - done) : NaN;
    const parts = [epochsLabel(t, epoch)];
    if (n) {
      const width = Math.max(10, Math.min(30, (stream.columns ?? 100) - 90));
      const filled = Math.round((done / n) * width);
      parts.push(tty ? `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (done === n ? '=' : '>') : ''}${' '.repeat(width - filled)}]` : '', `${done}/${n}`);
    } else parts.push(`${done} batches`);
    parts.push(`${formatTime(elapsed)}<${formatTime(eta)}`);
    parts.push(`loss ${formatValue(lossCount ? lossSum / lossCount : NaN)}`);
    const m = metricsText(t);
    if (m) parts.push(m);
    parts.push(`lr ${formatValue(lr)}`);
    return parts.filter(Boolean).join(' ');
  };
  return {
    name: 'progress',
    readsOnly: true,
    onEpochBegin(t) {
      epochStart = Date.now() / 1000;
      lossSum = 0;
      lossCount = 0;
      nextLine = 1;
      lastDraw = 0;
      void t;
    },
    onBatchEnd(t, batch, logs) {
      lossSum += logs.loss;
      lossCount++;
      const done = t.batchInEpoch;
      const n = total(t);
      if (tty) {
        const nowMs = Date.now();
        if (nowMs - lastDraw < 100 && done !== n) return;
        lastDraw = nowMs;
        stream.write(`\r\x1b[2K${line(t, t.epoch + 1, done)}`);
      } else if (n && linesPerEpoch > 0 && done < n && done >= (nextLine * n) / (linesPerEpoch + 1)) {
        nextLine++;
        stream.write(`${line(t, t.epoch + 1, done)}\n`);
      }
      void batch;
    },
    onEpochEnd(t, epoch, logs) {
      const extras = Object.entries(logs)
        .filter(([k]) => k.startsWith('val_'))
        .map(([k, v]) => `${k} ${formatValue(v)}`)
        .join(' ');
      const text = `${line(t, epoch, total(t) ?? t.batchInEpoch, logs.lr)}${extras ? ` | ${extras}` : ''}`;
      stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    },
    onTrainEnd(t, history) {
      if (tty) stream.write('\r\x1b[2K');
      if (history.stopReason && options.showStopReason !== false) stream.write(`stopped: ${history.stopReason}\n`);
      void t;
    },
  };
}
