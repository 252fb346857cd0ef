// Color maps for heatmaps and contours.

type RGB = [number, number, number];

// viridis at 9 evenly spaced points (perceptually uniform, readable in grey and by most color-blind readers)
const VIRIDIS: RGB[] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];

/** viridis at t in [0, 1] (clamped). */
export function viridis(t: number): RGB {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** viridis washed towards white (0: none, 1: white): a quiet background for paths drawn on top. */
export function paleViridis(t: number, wash = 0.55): RGB {
  const [r, g, b] = viridis(t);
  return [r + (255 - r) * wash, g + (255 - g) * wash, b + (255 - b) * wash];
}

export const css = ([r, g, b]: RGB) => `rgb(${Math.round(r)} ${Math.round(g)} ${Math.round(b)})`;

/** A size x size canvas colored cell by cell: `t(value)` in [0, 1] through `map`. NaN cells are grey. */
export function heatmapImage(values: ArrayLike<number>, columns: number, rows: number, t: (v: number) => number, map: (t: number) => RGB = viridis): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = columns;
  canvas.height = rows;
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(columns, rows);
  for (let i = 0; i < columns * rows; i++) {
    const v = values[i];
    const [r, g, b] = Number.isNaN(v) ? [200, 200, 200] : map(t(v));
    image.data.set([r, g, b, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}
