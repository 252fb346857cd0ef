// Building the page by hand: a small element helper and form controls bound to configuration keys.
import type { Config, ConfigValue } from '../app/url-state.js';

type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

/**
 * An element with attributes (`class`, `data-*`, `aria-*`, ...; false/undefined leave them out) and children.
 * @example h('button', { type: 'button', class: 'primary' }, 'Run')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

let uniqueId = 0;
export const nextId = (prefix: string) => `${prefix}-${++uniqueId}`;

/** Shortest readable form of a number for labels: 0.001, 2.5e-7, 1,234. */
export function formatValue(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6)) return value.toExponential(Math.max(0, digits - 1));
  return Number(value.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

interface Control {
  element: HTMLElement;
  set(value: ConfigValue): void;
}

export interface NumberSpec {
  label: string;
  min?: number;
  max?: number;
  step?: number | 'any';
  hint?: string;
}

export interface RangeSpec {
  label: string;
  min: number;
  max: number;
  step?: number;
  format?: (value: number) => string;
}

/**
 * Form controls, each bound to one key of a configuration: setting the configuration updates the
 * controls, and a change in a control calls `onChange(key, value)`.
 */
export class Form {
  private readonly controls = new Map<string, Control>();

  constructor(private readonly onChange: (key: string, value: ConfigValue) => void) {}

  /** Updates every bound control from `config`. */
  set(config: Config): void {
    for (const [key, control] of this.controls) if (config[key] !== undefined) control.set(config[key]);
  }

  private bind(key: string, element: HTMLElement, set: (value: ConfigValue) => void): HTMLElement {
    this.controls.set(key, { element, set });
    return element;
  }

  number(key: string, spec: NumberSpec): HTMLElement {
    const input = h('input', { type: 'number', id: nextId(key), name: key, min: spec.min, max: spec.max, step: spec.step ?? 'any', inputmode: 'decimal', 'data-key': key });
    input.addEventListener('change', () => {
      const value = Number(input.value);
      const ok = input.value.trim() !== '' && Number.isFinite(value) && (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max);
      input.setAttribute('aria-invalid', String(!ok));
      if (ok) this.onChange(key, value);
    });
    const label = h('label', { class: 'field', for: input.id }, h('span', {}, spec.label), input, spec.hint ? h('small', {}, spec.hint) : null);
    return this.bind(key, label, (value) => {
      input.value = String(value);
      input.removeAttribute('aria-invalid');
    });
  }

  range(key: string, spec: RangeSpec): HTMLElement {
    const input = h('input', { type: 'range', id: nextId(key), name: key, min: spec.min, max: spec.max, step: spec.step ?? 1, 'data-key': key });
    const shown = h('output', { for: input.id });
    const format = spec.format ?? ((v: number) => String(v));
    input.addEventListener('input', () => (shown.textContent = format(Number(input.value))));
    input.addEventListener('change', () => this.onChange(key, Number(input.value)));
    const label = h('label', { class: 'field range', for: input.id }, h('span', {}, spec.label, ' ', shown), input);
    return this.bind(key, label, (value) => {
      input.value = String(value);
      shown.textContent = format(Number(value));
    });
  }

  select(key: string, label: string, options: { value: string; label: string }[]): HTMLElement {
    const select = h('select', { id: nextId(key), name: key, 'data-key': key }, ...options.map((o) => h('option', { value: o.value }, o.label)));
    select.addEventListener('change', () => this.onChange(key, select.value));
    const wrapper = h('label', { class: 'field', for: select.id }, h('span', {}, label), select);
    return this.bind(key, wrapper, (value) => (select.value = String(value)));
  }

  checkbox(key: string, label: string): HTMLElement {
    const input = h('input', { type: 'checkbox', id: nextId(key), name: key, 'data-key': key });
    input.addEventListener('change', () => this.onChange(key, input.checked));
    const wrapper = h('label', { class: 'check', for: input.id }, input, h('span', {}, label));
    return this.bind(key, wrapper, (value) => (input.checked = Boolean(value)));
  }
}

/** A button; `action` runs on click (and so on Enter and Space). */
export function button(label: string, action: () => void, attributes: Attributes = {}): HTMLButtonElement {
  const element = h('button', { type: 'button', ...attributes }, label);
  element.addEventListener('click', action);
  return element;
}

/** A small table (in a box that scrolls sideways on a narrow screen) whose rows the panel rewrites. */
export function table(caption: string, headers: string[]): { element: HTMLElement; body: HTMLTableSectionElement } {
  const body = h('tbody');
  const element = h('table', { class: 'results' }, h('caption', {}, caption), h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))), body);
  return { element: h('div', { class: 'table-scroll' }, element), body };
}
