// A chart on a canvas, drawn by hand: axes with ticks (linear or log), then whatever the panel draws in
// data coordinates. It fills its container's width, keeps its aspect ratio, redraws on resize and
// draws at most once per animation frame however often the data changes.

export interface AxisOptions {
  label?: string;
  log?: boolean;
  domain?: [number, number];
}

export interface PlotOptions {
  /** What the chart shows, for screen readers. */
  title: string;
  x: AxisOptions;
  y: AxisOptions;
  /** height / width (default 0.62); capped at maxHeight CSS pixels. */
  aspect?: number;
  maxHeight?: number;
  /** Left margin for the y tick labels (default 46). */
  left?: number;
}

export interface LineStyle {
  color: string;
  width?: number;
  alpha?: number;
  dash?: number[];
}

const MARGIN = { top: 10, right: 18, bottom: 36 };
let drewFirstChart = false;

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * power;
}

/** Tick positions for a linear axis over [a, b]. */
export function linearTicks(a: number, b: number, count = 5): number[] {
  if (!(b > a) || !Number.isFinite(b - a)) return [];
  const step = niceStep(b - a, count);
  const ticks: number[] = [];
  for (let k = Math.ceil(a / step - 1e-9); k <= Math.floor(b / step + 1e-9); k++) ticks.push(Number((k * step).toPrecision(12)) || 0); // 3 x 0.2 is 0.6
  return ticks;
}

/** Powers of ten over [a, b] (a > 0), thinned to about `count`. */
export function logTicks(a: number, b: number, count = 6): number[] {
  if (!(a > 0 && b > a) || !Number.isFinite(b)) return [];
  const lo = Math.ceil(Math.log10(a) - 1e-9);
  const hi = Math.floor(Math.log10(b) + 1e-9);
  const every = Math.max(1, Math.ceil((hi - lo + 1) / count));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) if ((e - lo) % every === 0) ticks.push(10 ** e);
  return ticks;
}

const tickLabel = (v: number, log: boolean) => {
  if (log) return Math.abs(Math.log10(v)) < 3 ? String(Number(v.toPrecision(3))) : `1e${Math.round(Math.log10(v))}`;
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(0) : String(Number(v.toPrecision(4)));
};

export class Plot {
  readonly canvas: HTMLCanvasElement;
  readonly context: CanvasRenderingContext2D;
  private xDomain: [number, number];
  private yDomain: [number, number];
  private painter: ((plot: Plot) => void) | null = null;
  private frame = 0;
  private cssWidth = 0;
  private cssHeight = 0;

  constructor(parent: HTMLElement, public options: PlotOptions) {
    this.canvas = document.createElement('canvas');
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', options.title);
    this.canvas.className = 'plot';
    parent.append(this.canvas);
    this.context = this.canvas.getContext('2d')!;
    this.xDomain = options.x.domain ?? (options.x.log ? [1e-3, 1] : [0, 1]);
    this.yDomain = options.y.domain ?? (options.y.log ? [1e-3, 1] : [0, 1]);
    new ResizeObserver(() => this.schedule()).observe(parent);
  }

  get left(): number {
    return this.options.left ?? 46;
  }
  get right(): number {
    return this.cssWidth - MARGIN.right;
  }
  get top(): number {
    return MARGIN.top;
  }
  get bottom(): number {
    return this.cssHeight - MARGIN.bottom;
  }

  setDomain(x?: [number, number], y?: [number, number]): void {
    if (x) this.xDomain = x;
    if (y) this.yDomain = y;
  }

  get domains(): { x: [number, number]; y: [number, number] } {
    return { x: this.xDomain, y: this.yDomain };
  }

  /** Sets what to draw (in data coordinates, after the axes) and draws it at the next animation frame. */
  draw(painter: (plot: Plot) => void): void {
    this.painter = painter;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  private scale(v: number, [a, b]: [number, number], log: boolean | undefined, from: number, to: number): number {
    const t = log ? (Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a)) : (v - a) / (b - a);
    return from + t * (to - from);
  }

  px(x: number): number {
    return this.scale(x, this.xDomain, this.options.x.log, this.left, this.right);
  }

  py(y: number): number {
    return this.scale(y, this.yDomain, this.options.y.log, this.bottom, this.top);
  }

  /** The data coordinates under a pointer event's client position. */
  toData(clientX: number, clientY: number): [number, number] {
    const box = this.canvas.getBoundingClientRect();
    const invert = (p: number, [a, b]: [number, number], log: boolean | undefined, from: number, to: number) => {
      const t = (p - from) / (to - from);
      return log ? 10 ** (Math.log10(a) + t * (Math.log10(b) - Math.log10(a))) : a + t * (b - a);
    };
    return [
      invert(clientX - box.left, this.xDomain, this.options.x.log, this.left, this.right),
      invert(clientY - box.top, this.yDomain, this.options.y.log, this.bottom, this.top),
    ];
  }

  private paint(): void {
    const parent = this.canvas.parentElement;
    if (!parent || parent.clientWidth === 0) return; // hidden: drawn when shown (the observer fires)
    const width = parent.clientWidth;
    const height = Math.min(this.options.maxHeight ?? 520, Math.round(width * (this.options.aspect ?? 0.62)));
    const ratio = window.devicePixelRatio || 1;
    if (width !== this.cssWidth || height !== this.cssHeight) {
      this.cssWidth = width;
      this.cssHeight = height;
      this.canvas.style.height = `${height}px`;
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
    }
    const c = this.context;
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    c.clearRect(0, 0, width, height);
    this.axes();
    c.save();
    c.beginPath();
    c.rect(this.left, this.top, this.right - this.left, this.bottom - this.top);
    c.clip();
    this.painter?.(this);
    c.restore();
    if (!drewFirstChart) {
      drewFirstChart = true;
      performance.mark('lab:first-chart');
    }
  }

  private axes(): void {
    const c = this.context;
    const { x, y } = this.options;
    c.font = '11px system-ui, sans-serif';
    c.fillStyle = '#555';
    c.strokeStyle = '#e3e3e3';
    c.lineWidth = 1;
    const xs = x.log ? logTicks(...this.xDomain) : linearTicks(...this.xDomain, Math.max(2, Math.floor((this.right - this.left) / 70)));
    const ys = y.log ? logTicks(...this.yDomain) : linearTicks(...this.yDomain, Math.max(2, Math.floor((this.bottom - this.top) / 40)));
    c.textAlign = 'center';
    c.textBaseline = 'top';
    for (const v of xs) {
      const p = Math.round(this.px(v)) + 0.5;
      c.beginPath();
      c.moveTo(p, this.top);
      c.lineTo(p, this.bottom);
      c.stroke();
      c.fillText(tickLabel(v, !!x.log), p, this.bottom + 4);
    }
    c.textAlign = 'right';
    c.textBaseline = 'middle';
    for (const v of ys) {
      const p = Math.round(this.py(v)) + 0.5;
      c.beginPath();
      c.moveTo(this.left, p);
      c.lineTo(this.right, p);
      c.stroke();
      c.fillText(tickLabel(v, !!y.log), this.left - 4, p);
    }
    c.strokeStyle = '#999';
    c.strokeRect(this.left + 0.5, this.top + 0.5, this.right - this.left, this.bottom - this.top);
    c.textAlign = 'center';
    c.textBaseline = 'alphabetic';
    if (x.label) c.fillText(x.label, (this.left + this.right) / 2, this.cssHeight - 4);
    if (y.label) {
      c.save();
      c.translate(11, (this.top + this.bottom) / 2);
      c.rotate(-Math.PI / 2);
      c.textBaseline = 'middle';
      c.fillText(y.label, 0, 0);
      c.restore();
    }
  }

  /** A polyline through (xs[i], ys[i]); non-finite points (and non-positive ones on a log axis) break it. */
  line(xs: ArrayLike<number>, ys: ArrayLike<number>, style: LineStyle): void {
    const c = this.context;
    c.save();
    c.strokeStyle = style.color;
    c.lineWidth = style.width ?? 1.5;
    c.globalAlpha = style.alpha ?? 1;
    c.lineJoin = 'round';
    if (style.dash) c.setLineDash(style.dash);
    c.beginPath();
    let open = false;
    const ok = (v: number, log: boolean | undefined) => Number.isFinite(v) && (!log || v > 0);
    for (let i = 0; i < xs.length; i++) {
      if (!ok(xs[i], this.options.x.log) || !ok(ys[i], this.options.y.log)) {
        open = false;
        continue;
      }
      const [px, py] = [this.px(xs[i]), this.py(ys[i])];
      if (open) c.lineTo(px, py);
      else c.moveTo(px, py);
      open = true;
    }
    c.stroke();
    c.restore();
  }

  /** A filled circle (radius in CSS pixels), with an optional white ring. */
  dot(x: number, y: number, color: string, radius = 4, ring = true): void {
    const c = this.context;
    c.beginPath();
    c.arc(this.px(x), this.py(y), radius, 0, 2 * Math.PI);
    c.fillStyle = color;
    c.fill();
    if (ring) {
      c.strokeStyle = 'white';
      c.lineWidth = 1.5;
      c.stroke();
    }
  }

  /** A vertical line at x across the plot. */
  vline(x: number, style: LineStyle): void {
    this.line([x, x], this.yDomain, style);
  }

  /** An image stretched over the whole plot area (heatmaps, loss surfaces). */
  image(source: CanvasImageSource, smooth = true): void {
    const c = this.context;
    c.imageSmoothingEnabled = smooth;
    c.drawImage(source, this.left, this.top, this.right - this.left, this.bottom - this.top);
  }

  text(label: string, x: number, y: number, color = '#222', align: CanvasTextAlign = 'left'): void {
    const c = this.context;
    c.fillStyle = color;
    c.textAlign = align;
    c.textBaseline = 'bottom';
    c.font = '12px system-ui, sans-serif';
    c.fillText(label, this.px(x), this.py(y) - 3);
  }
}

/** [min, max] of the finite (and, for a log axis, positive) values, padded so that a flat series still shows. */
export function extent(values: Iterable<number>, log = false): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) return log ? [1e-3, 1] : [0, 1];
  if (log) {
    const [a, b] = [Math.floor(Math.log10(lo)), Math.ceil(Math.log10(hi))];
    return [10 ** a, 10 ** Math.max(b, a + 1)];
  }
  if (hi === lo) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}
