/// <reference types="node" />
// PNG files of tensors, as torchvision.utils.save_image: a grid of the images (makeGrid's options), 8-bit.
import type { Tensor } from '../tensor/tensor.js';
import { type MakeGridOptions, makeGrid, toImageBytes } from '../vision/grid.js';
import { encodePng } from './png.js';
import { writeFileAtomic } from './files.js';

/**
 * The PNG bytes of `images` laid out by makeGrid (values in [0, 1], or pass normalize: true).
 * @example const png = imagePng(samples, { nrow: 8, normalize: true });
 */
export function imagePng(images: Tensor | readonly Tensor[], options: MakeGridOptions = {}): Uint8Array {
  return encodePng(toImageBytes(makeGrid(images, options)));
}

/**
 * Writes `images` ([N, C, H, W], a list, or one [C, H, W] / [H, W] image) to a PNG file as a grid, as
 * torchvision.utils.save_image(tensor, path, **make_grid_kwargs); the file is replaced atomically.
 * @example saveImage(generator(noise).view(-1, 1, 28, 28), 'samples.png', { nrow: 8, normalize: true });
 */
export function saveImage(images: Tensor | readonly Tensor[], path: string, options: MakeGridOptions = {}): void {
  writeFileAtomic(path, imagePng(images, options));
}
