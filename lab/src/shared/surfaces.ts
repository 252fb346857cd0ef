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
    start: [-1.5, 2], note: 'A long, curved valley with a flat floor. The gradient points across the valley, not along it: SGD bounces off the walls before creeping along the floor, momentum and RMSProp lag on the curve, Adam follows it, and L-BFGS, which models the curvature, reaches (1, 1) in about 50 steps. Give SGD lr 0.01 and it diverges.',
  },
  {
    id: 'quadratic', label: 'Ill-conditioned bowl', formula: '½ x² + 10 y²', x: [-4, 4], y: [-3, 3], minima: [[0, 0]], minValue: 0,
    start: [-3.5, 2], note: 'One direction is 20 times steeper than the other. SGD needs a rate below 0.1 (2 over the steep curvature) or it diverges across the steep direction, and at such rates it crawls along the shallow one; give it lr 0.09 to see it zig-zag. Momentum and the adaptive rules fix this in different ways.',
  },
  {
    id: 'beale', label: 'Beale', formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²', x: [-4.5, 4.5], y: [-4.5, 4.5], minima: [[3, 0.5]],
    minValue: 0, start: [1, 1.5], note: 'Flat plateaus and sharp ridges: gradients range over orders of magnitude, which adaptive rules absorb.',
  },
  {
    id: 'himmelblau', label: 'Himmelblau', formula: '(x² + y − 11)² + (x + y² − 7)²', x: [-5, 5], y: [-5, 5],
    minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]], minValue: 0, start: [-0.5, -0.5],
    note: 'Four minima of equal depth: which one a rule reaches depends on where it starts. Click near each of them, or between them.',
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
