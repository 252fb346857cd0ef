// The lab's panels, in tab order. A new panel is a module exporting a Panel (see app/panel.ts and docs/lab.md).
import type { Panel } from '../app/panel.js';
import { batchPanel } from './batch.js';
import { gradientsPanel } from './gradients.js';
import { learningRatePanel } from './learning-rate.js';
import { mnistPanel } from './mnist.js';
import { surfacesPanel } from './surfaces.js';

export const PANELS: Panel[] = [surfacesPanel, batchPanel, learningRatePanel, gradientsPanel, mnistPanel];
