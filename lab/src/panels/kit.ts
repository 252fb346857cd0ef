// Pieces the panels share: configuration values typed as their defaults, debouncing, legends, layout.
import type { PanelContext, PanelView } from '../app/panel.js';
import type { Config, ConfigValue } from '../app/url-state.js';
import type { Runner } from '../app/worker-client.js';
import { h } from '../ui/dom.js';

/** A control's value as the type of the key's default (a select gives strings; numbers stay numbers). */
export function coerce(defaults: Config, key: string, value: ConfigValue): ConfigValue {
  const fallback = defaults[key];
  if (typeof fallback === 'number') return Number(value);
  if (typeof fallback === 'boolean') return value === true || value === 'true' || value === 1;
  return String(value);
}

/** Calls `fn` once, `ms` after the last of a burst of calls. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer = 0;
  return () => {
    clearTimeout(timer);
    timer = window.setTimeout(fn, ms);
  };
}

export const swatch = (color: string) => h('span', { class: 'swatch', style: `background:${color}`, 'aria-hidden': 'true' });

/** A legend: a colored mark and a label per series (the charts' colors, in words for everyone). */
export function legend(items: { color: string; label: string; dash?: boolean }[]): HTMLElement {
  return h('ul', { class: 'legend' }, ...items.map((i) => h('li', {}, h('span', { class: `swatch${i.dash ? ' dashed' : ''}`, style: `background:${i.color}`, 'aria-hidden': 'true' }), i.label)));
}

/** A titled chart box: the Plot goes into the returned `body`. */
export function figure(title: string, ...extra: HTMLElement[]): { element: HTMLElement; body: HTMLElement } {
  const body = h('div', { class: 'chart' });
  return { element: h('figure', {}, h('figcaption', {}, title), body, ...extra), body };
}

/** The two-column layout of a panel: controls on the left, charts on the right (one column on a phone). */
export function layout(controls: HTMLElement[], charts: HTMLElement[]): HTMLElement {
  const form = h('form', { class: 'controls' }, ...controls);
  form.addEventListener('submit', (event) => event.preventDefault());
  return h('div', { class: 'layout' }, form, h('div', { class: 'charts' }, ...charts));
}

/**
 * Runs a worker job for a panel: the panel's state is 'running' (saying `message`), then 'done' (saying
 * what `summary` makes of the result) or 'error'. Resolves with the result, or null when a newer run took over.
 */
export async function runJob<P, R>(context: PanelContext, runner: Runner, job: string, config: unknown, message: string,
  absorb: (progress: P) => void, summary: (result: R) => string): Promise<R | null> {
  context.setState('running', message);
  try {
    const result = await runner.start<P, R>(job, config, absorb);
    if (result !== null) context.setState('done', summary(result));
    return result;
  } catch (error) {
    context.setState('error', `The ${job} run failed: ${(error as Error).message}`);
    return null;
  }
}

/**
 * The life of a panel that runs as soon as it shows something: `show` puts a configuration in the panel's
 * controls and state, then `run` runs it; at mount (with `initial`) and whenever a link brings a new one.
 */
export function runningView(initial: Config, show: (config: Config) => void, run: () => Promise<void>): PanelView {
  const view: PanelView = {
    apply(next) {
      show({ ...next });
      void run();
    },
  };
  view.apply(initial);
  return view;
}
