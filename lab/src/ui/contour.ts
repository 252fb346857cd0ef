// Contour lines by marching squares, over a loss computed on a grid (by descent, in the worker).
import { css, heatmapImage, paleViridis } from './colors.js';
import type { Plot } from './plot.js';

/**
 * Segments where the grid crosses `level`, in grid coordinates (column, row), as [x1, y1, x2, y2, ...].
 * Each cell's corners above or below the level pick which of its edges the line crosses.
 */
export function isoline(values: ArrayLike<number>, size: number, level: number): number[] {
  const out: number[] = [];
  const at = (i: number, j: number) => values[j * size + i];
  const cross = (a: number, b: number) => (level - a) / (b - a);
  for (let j = 0; j < size - 1; j++) {
    for (let i = 0; i < size - 1; i++) {
      const [v0, v1, v2, v3] = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)]; // clockwise from top left
      const points: number[] = [];
      if ((v0 > level) !== (v1 > level)) points.push(i + cross(v0, v1), j);
      if ((v1 > level) !== (v2 > level)) points.push(i + 1, j + cross(v1, v2));
      if ((v2 > level) !== (v3 > level)) points.push(i + 1 - cross(v2, v3), j + 1);
      if ((v3 > level) !== (v0 > level)) points.push(i, j + 1 - cross(v3, v0));
      if (points.length >= 4) out.push(points[0], points[1], points[2], points[3]);
      if (points.length === 8) out.push(points[4], points[5], points[6], points[7]);
    }
  }
  return out;
}

/** A loss grid ready to draw: a pale heatmap and contour lines at evenly spaced levels of log(loss − min). */
export interface ContourLayer {
  image: HTMLCanvasElement;
  lines: number[][];
  size: number;
}

export function contourLayer(values: Float32Array, size: number, minValue: number, levels = 14): ContourLayer {
  const shifted = Float32Array.from(values, (v) => Math.log10(Math.max(v - minValue, 0) + 1e-3));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of shifted) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const image = heatmapImage(shifted, size, size, (v) => (v - lo) / (hi - lo), (t) => paleViridis(t));
  const lines: number[][] = [];
  for (let k = 1; k < levels; k++) lines.push(isoline(shifted, size, lo + ((hi - lo) * k) / levels));
  return { image, lines, size };
}

/** Draws a contour layer over the plot's whole area (its grid spans the plot's domains). */
export function drawContours(plot: Plot, layer: ContourLayer): void {
  plot.image(layer.image);
  const c = plot.context;
  const sx = (plot.right - plot.left) / (layer.size - 1);
  const sy = (plot.bottom - plot.top) / (layer.size - 1);
  c.save();
  c.strokeStyle = css([70, 70, 90]);
  c.globalAlpha = 0.35;
  c.lineWidth = 0.8;
  c.beginPath();
  for (const segments of layer.lines) {
    for (let i = 0; i < segments.length; i += 4) {
      c.moveTo(plot.left + segments[i] * sx, plot.top + segments[i + 1] * sy);
      c.lineTo(plot.left + segments[i + 2] * sx, plot.top + segments[i + 3] * sy);
    }
  }
  c.stroke();
  c.restore();
}
