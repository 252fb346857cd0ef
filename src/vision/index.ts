// dt.vision: image utilities (torchvision.utils): grids of images and their 8-bit pixels. PNG files are in descent/node (saveImage).
export { makeGrid, toImageBytes } from './grid.js';
export type { MakeGridOptions, ImageBytes } from './grid.js';
