// The MNIST panel's drawing pad: a canvas to draw a digit on (pointer or touch), turned into a 28 x 28
// image the way MNIST's digits were made: the ink scaled to fit a 20 x 20 box, then centered by its
// center of mass.
import { button, h } from '../ui/dom.js';

const SIZE = 280;

export interface DigitPad {
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  clear(): void;
  /** Shows a 28 x 28 image (values in [0, 1]). */
  show(pixels: ArrayLike<number>): void;
}

/** The ink of a SIZE x SIZE canvas as MNIST's 784 grey levels in [0, 1]; null when nothing is drawn. */
export function toMnist(canvas: HTMLCanvasElement): number[] | null {
  const source = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < canvas.height; y++) {
    for (let x = 0; x < canvas.width; x++) {
      if (source[(y * canvas.width + x) * 4] < 30) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  if (x1 < x0) return null;
  const [w, h] = [x1 - x0 + 1, y1 - y0 + 1];
  const scale = 20 / Math.max(w, h);
  const small = document.createElement('canvas');
  small.width = small.height = 28;
  const context = small.getContext('2d', { willReadFrequently: true })!;
  context.imageSmoothingQuality = 'high';
  const place = (dx: number, dy: number) => {
    context.fillStyle = 'black';
    context.fillRect(0, 0, 28, 28);
    context.drawImage(canvas, x0, y0, w, h, (28 - w * scale) / 2 + dx, (28 - h * scale) / 2 + dy, w * scale, h * scale);
    return context.getImageData(0, 0, 28, 28).data;
  };
  const centered = place(0, 0);
  let [mass, mx, my] = [0, 0, 0];
  for (let i = 0; i < 784; i++) {
    const v = centered[i * 4];
    mass += v;
    mx += v * (i % 28);
    my += v * Math.floor(i / 28);
  }
  const data = place(Math.round(13.5 - mx / mass), Math.round(13.5 - my / mass));
  return Array.from({ length: 784 }, (_, i) => data[i * 4] / 255);
}

export function digitPad(onStroke: () => void): DigitPad {
  const canvas = h('canvas', { width: SIZE, height: SIZE, class: 'pad', role: 'img', 'aria-label': 'Drawing pad: draw a digit with the mouse, a pen or a finger' });
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  let drawing = false;
  const point = (event: PointerEvent): [number, number] => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * SIZE, ((event.clientY - box.top) / box.height) * SIZE];
  };
  const clear = () => {
    context.fillStyle = 'black';
    context.fillRect(0, 0, SIZE, SIZE);
  };
  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.strokeStyle = 'white';
    context.lineWidth = 22;
    context.lineCap = context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(...point(event));
    context.lineTo(...point(event));
    context.stroke();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    context.lineTo(...point(event));
    context.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    onStroke();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  clear();
  return {
    element: h('div', { class: 'pad-box' }, canvas, button('Clear', clear, { class: 'quiet', 'data-action': 'clear' })),
    canvas,
    clear,
    show(pixels) {
      const image = context.createImageData(28, 28);
      for (let i = 0; i < 784; i++) image.data.set([pixels[i] * 255, pixels[i] * 255, pixels[i] * 255, 255], i * 4);
      const small = document.createElement('canvas');
      small.width = small.height = 28;
      small.getContext('2d')!.putImageData(image, 0, 0);
      context.imageSmoothingEnabled = false;
      context.drawImage(small, 0, 0, SIZE, SIZE);
    },
  };
}
