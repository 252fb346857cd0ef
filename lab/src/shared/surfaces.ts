// The 2-D test functions of the loss-surface panel: what the page needs to draw them (the formulas
// themselves are written with descent's ops in worker/surfaces.ts).

export type SurfaceId = 'quadratic' | 'rosenbrock' | 'beale' | 'himmelblau' | 'saddle' | 'rastrigin';

export interface SurfaceInfo {
  id: SurfaceId;
  label: string;
  formula: string;
  /** Plot box: [xMin, xMax], [yMin, yMax]. */
  x: [number, number];
  y: [number, number];
  /** Global minima (for "distance to the nearest minimum") and the minimum value. */
  minima: [number, number][];
  minValue: number;
  start: [number, number];
  note: string;
}

export const SURFACES: SurfaceInfo[] = [
  {
    id: 'rosenbrock', label: 'Rosenbrock', formula: '(1 − x)² + 100 (y − x²)²', x: [-2, 2], y: [-1, 3], minima: [[1, 1]], minValue: 0,
    start: [-1.5, 2], note: 'A long curved valley: easy to fall into, slow to follow. Plain SGD crawls, momentum overshoots the walls, Adam and L-BFGS find the bottom.',
  },
  {
    id: 'quadratic', label: 'Ill-conditioned bowl', formula: '½ x² + 10 y²', x: [-4, 4], y: [-3, 3], minima: [[0, 0]], minValue: 0,
    start: [-3.5, 2], note: 'One direction is 20 times steeper than the other. SGD zig-zags across the steep direction; momentum and adaptive rules fix the zig-zag in different ways.',
  },
  {
    id: 'beale', label: 'Beale', formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²', x: [-4.5, 4.5], y: [-4.5, 4.5], minima: [[3, 0.5]],
    minValue: 0, start: [1, 1.5], note: 'Flat plateaus and sharp ridges: gradients range over orders of magnitude, which adaptive rules absorb.',
  },
  {
    id: 'himmelblau', label: 'Himmelblau', formula: '(x² + y − 11)² + (x + y² − 7)²', x: [-5, 5], y: [-5, 5],
    minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]], minValue: 0, start: [-0.5, -0.5],
    note: 'Four equal minima: where a rule ends depends on where it starts and on its momentum. Click elsewhere to start again.',
  },
  {
    id: 'saddle', label: 'Saddle', formula: 'x² + y⁴/4 − y²', x: [-3, 3], y: [-2.5, 2.5], minima: [[0, Math.SQRT2], [0, -Math.SQRT2]], minValue: -1,
    start: [-2.5, 0.001], note: 'The start lies almost on the ridge of a saddle point at (0, 0). Gradient descent slows to a crawl near the saddle; rules that rescale small gradients escape sooner.',
  },
  {
    id: 'rastrigin', label: 'Rastrigin', formula: '20 + x² − 10 cos 2πx + y² − 10 cos 2πy', x: [-5.12, 5.12], y: [-5.12, 5.12], minima: [[0, 0]], minValue: 0,
    start: [-4.2, 4.4], note: 'Many local minima on a bowl: every rule here is local and stops in the first hole that holds it, unless its steps are large enough to jump out.',
  },
];

export const surfaceInfo = (id: string): SurfaceInfo => SURFACES.find((s) => s.id === id) ?? SURFACES[0];
