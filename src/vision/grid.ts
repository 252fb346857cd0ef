// Image grids as torchvision.utils.make_grid builds them, and the 8-bit pixels that save_image writes.
import { Tensor } from '../tensor/tensor.js';
import { full } from '../tensor/creation.js';
import { formatShape } from '../tensor/shape.js';
import { checkedOptions, optionKeys } from '../tensor/options.js';
import { isFloating } from '../tensor/dtype.js';
import { add, cast, clamp, div, mul, sub } from '../ops/elementwise.js';
import { cat, pad, permute, squeeze, stack, unsqueeze } from '../ops/shape.js';
import { max, min } from '../ops/reduce.js';

export interface MakeGridOptions {
  /** Images per row. Default 8. */
  nrow?: number;
  /** Pixels between images and around the grid. Default 2. */
  padding?: number;
  /** Shift and scale to [0, 1]: by valueRange, or by the min and max of the images. Default false. */
  normalize?: boolean;
  /** [low, high] for normalize (values are clamped to it first). Default: the images' min and max. */
  valueRange?: readonly [number, number] | null;
  /** With normalize, each image by its own min and max. Default false. */
  scaleEach?: boolean;
  /** The value of the padding pixels. Default 0. */
  padValue?: number;
}

const GRID_OPTIONS = optionKeys<MakeGridOptions>({ nrow: true, padding: true, normalize: true, valueRange: true, scaleEach: true, padValue: true });

// clamp to [low, high], then (x - low) / max(high - low, 1e-5), as torchvision's norm_ip
function normalizeRange(x: Tensor, range: readonly [number, number] | null): Tensor {
  const [low, high] = range ?? [min(x).item(), max(x).item()];
  return div(sub(clamp(x, low, high), low), Math.max(high - low, 1e-5));
}

/**
 * Images [N, C, H, W] (or a list of [C, H, W], or one [C, H, W] / [H, W] image) tiled into one image
 * [C', rows * (H + padding) + padding, cols * (W + padding) + padding], as torchvision.utils.make_grid:
 * one-channel images become three-channel, a single image comes back without the grid's padding.
 * @example
 * const grid = vision.makeGrid(samples.view(-1, 1, 28, 28), { nrow: 8, normalize: true }); // [3, 242, 242]
 */
export function makeGrid(images: Tensor | readonly Tensor[], options: MakeGridOptions = {}): Tensor {
  const op = 'makeGrid';
  const { nrow = 8, padding = 2, normalize = false, valueRange = null, scaleEach = false, padValue = 0 } = checkedOptions(op, options, GRID_OPTIONS);
  if (!Number.isInteger(nrow) || nrow < 1) throw new Error(`${op}: nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`${op}: padding must be a non-negative integer, got ${padding}`);
  if (valueRange !== null && !(Array.isArray(valueRange) && valueRange.length === 2)) throw new Error(`${op}: valueRange must be [low, high], got ${String(valueRange)}`);
  let t = Array.isArray(images) ? stack(images as Tensor[], 0) : (images as Tensor);
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor or a list of Tensors, got ${typeof t}`);
  if (t.ndim === 2) t = unsqueeze(t, 0);
  if (t.ndim === 3) t = unsqueeze(t.shape[0] === 1 ? cat([t, t, t], 0) : t, 0);
  if (t.ndim !== 4) throw new Error(`${op}: expected images [N, C, H, W], [C, H, W] or [H, W], got ${formatShape(t.shape)}`);
  if (t.shape[1] === 1) t = cat([t, t, t], 1);
  if (normalize) {
    if (!isFloating(t.dtype)) t = cast(t, 'float32');
    const norm = (x: Tensor) => normalizeRange(x.detach(), valueRange);
    t = scaleEach ? stack(Array.from({ length: t.shape[0] }, (_, i) => norm(t.select(0, i))), 0) : norm(t);
  }
  const [n, c, h, w] = t.shape;
  if (n === 1) return squeeze(t, 0);
  const cols = Math.min(nrow, n);
  const rows = Math.ceil(n / cols);
  // each cell is an image with `padding` above and to its left; the grid then gets its bottom and right edge
  const cell = (i: number) => (i < n ? pad(t.select(0, i), [padding, 0, padding, 0], 'constant', padValue) : full([c, h + padding, w + padding], padValue, { dtype: t.dtype }));
  const gridRows = Array.from({ length: rows }, (_, y) => cat(Array.from({ length: cols }, (_, x) => cell(y * cols + x)), 2));
  return pad(cat(gridRows, 1), [0, padding, 0, padding], 'constant', padValue);
}

/** 8-bit pixels, row-major, `channels` per pixel (height x width x channels). */
export interface ImageBytes {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/**
 * An image [C, H, W] (or [H, W]) with values in [0, 1] as 8-bit pixels, rounded and clamped as torchvision's
 * save_image does (x * 255 + 0.5, clamped to [0, 255], truncated). C is 1, 2, 3 or 4.
 * @example const { width, height, data } = vision.toImageBytes(grid);
 */
export function toImageBytes(image: Tensor): ImageBytes {
  const op = 'toImageBytes';
  if (!(image instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor, got ${typeof image}`);
  const chw = image.ndim === 2 ? unsqueeze(image, 0) : image;
  if (chw.ndim !== 3 || chw.shape[0] < 1 || chw.shape[0] > 4) throw new Error(`${op}: expected an image [C, H, W] with 1 to 4 channels or [H, W], got ${formatShape(image.shape)}`);
  const floats = isFloating(chw.dtype) ? chw.detach() : cast(chw, 'float32');
  const pixels = cast(permute(clamp(add(mul(floats, 255), 0.5), 0, 255), [1, 2, 0]), 'int32');
  const [channels, height, width] = chw.shape;
  return { width, height, channels, data: Uint8Array.from(pixels.dataSync()) };
}
