// What a panel of the lab is: an id (its place in the URL), a title, its default configuration, and a
// mount function that builds its controls and charts when the panel is first opened.
import type { Config } from './url-state.js';
import type { LabWorker } from './worker-client.js';

export interface PanelContext {
  /** The configuration the panel opens with (the URL's, over the defaults). */
  readonly config: Config;
  /** Records the panel's configuration in the URL (a link to the page reproduces it). */
  setConfig(config: Config): void;
  /** The panel's own worker, started at the first call. */
  worker(): LabWorker;
  /** Marks the panel's state for people (aria-busy) and for tests (data-state). */
  setState(state: 'idle' | 'running' | 'done' | 'error', message?: string): void;
}

export interface PanelView {
  /** A configuration from the URL (a pasted link, back/forward): update the controls and results. */
  apply(config: Config): void;
}

export interface Panel {
  id: string;
  title: string;
  /** One sentence under the title: what the panel teaches. */
  lead: string;
  defaults: Config;
  /** Threads for the panel's worker (used where the page is cross-origin isolated). */
  threads?: number;
  mount(host: HTMLElement, context: PanelContext): PanelView;
}
