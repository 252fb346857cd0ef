// The lab's page: tabs for the panels, the URL as the state of the open panel, and a footer that says
// where descent runs. Each panel builds itself the first time it is opened (panels/).
import type { Panel, PanelView } from './app/panel.js';
import { type Config, decodeConfig, panelHash, parseHash } from './app/url-state.js';
import { LabWorker, onBackendReady } from './app/worker-client.js';
import { PANELS } from './panels/index.js';
import { button, h } from './ui/dom.js';

interface Slot {
  panel: Panel;
  tab: HTMLButtonElement;
  section: HTMLElement;
  config: Config;
  view: PanelView | null;
  worker: LabWorker | null;
}

const tabs = h('div', { role: 'tablist', 'aria-label': 'Panels' });
document.getElementById('tabs')!.append(tabs);
const main = document.getElementById('main')!;
// the skip link moves focus to the panel without replacing the panel's link in the address bar
document.querySelector('a.skip')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
const slots = new Map<string, Slot>();
let active: Slot | null = null;

function hashOf(slot: Slot): string {
  return panelHash(slot.panel.id, slot.config, slot.panel.defaults);
}

function shareRow(slot: Slot): HTMLElement {
  const note = h('output', { class: 'share-note' });
  const copy = button('Copy link to this view', () => {
    const url = new URL(hashOf(slot), location.href).href;
    navigator.clipboard?.writeText(url).then(
      () => (note.textContent = 'Link copied: it opens this panel with these settings.'),
      () => (note.textContent = `Copy this link: ${url}`),
    ) ?? (note.textContent = `Copy this link: ${url}`);
  }, { class: 'quiet', 'data-action': 'share' });
  return h('div', { class: 'share' }, copy, note);
}

for (const panel of PANELS) {
  const tab = h('button', { type: 'button', role: 'tab', id: `tab-${panel.id}`, 'aria-controls': `panel-${panel.id}`, 'aria-selected': 'false', tabindex: -1 }, panel.title);
  const section = h('section', { role: 'tabpanel', id: `panel-${panel.id}`, 'aria-labelledby': `tab-${panel.id}`, 'data-panel': panel.id, 'data-state': 'idle', hidden: true });
  const slot: Slot = { panel, tab, section, config: { ...panel.defaults }, view: null, worker: null };
  section.append(h('header', { class: 'panel-head' }, h('h2', {}, panel.title), h('p', { class: 'lead' }, panel.lead)));
  section.append(shareRow(slot));
  tab.addEventListener('click', () => open(panel.id, null, true));
  tabs.append(tab);
  main.append(section);
  slots.set(panel.id, slot);
}

// Arrow keys, Home and End move between tabs (the WAI-ARIA tabs pattern); Tab moves into the panel.
tabs.addEventListener('keydown', (event) => {
  const ids = PANELS.map((p) => p.id);
  const at = active ? ids.indexOf(active.panel.id) : 0;
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[event.key];
  if (next === undefined) return;
  event.preventDefault();
  const id = ids[(next + ids.length) % ids.length];
  open(id, null, true);
  slots.get(id)!.tab.focus();
});

function mount(slot: Slot): PanelView {
  const host = h('div', { class: 'panel-body' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  slot.section.append(host, status);
  return slot.panel.mount(host, {
    config: slot.config,
    setConfig: (config) => {
      slot.config = { ...config };
      if (active === slot) history.replaceState(null, '', hashOf(slot));
      routed = location.hash;
    },
    worker: () => (slot.worker ??= new LabWorker(slot.panel.id, slot.panel.threads ?? 1)),
    setState: (state, message) => {
      if (state === 'running' && slot.section.dataset.state !== 'running') slot.section.dataset.runs = String(Number(slot.section.dataset.runs ?? 0) + 1);
      slot.section.dataset.state = state;
      slot.section.setAttribute('aria-busy', String(state === 'running'));
      if (message !== undefined) status.textContent = message;
      if (state === 'error') console.error(`descent lab, ${slot.panel.id}: ${message}`);
    },
  });
}

/** Shows panel `id`; `query` (from the URL) replaces its configuration; `push` adds a history entry. */
function open(id: string, query: string | null, push: boolean): void {
  const slot = slots.get(id) ?? slots.get(PANELS[0].id)!;
  if (query !== null) slot.config = decodeConfig(query, slot.panel.defaults);
  if (active !== slot) {
    for (const other of slots.values()) {
      const selected = other === slot;
      other.tab.setAttribute('aria-selected', String(selected));
      other.tab.tabIndex = selected ? 0 : -1;
      other.section.hidden = !selected;
    }
    active = slot;
    document.title = `${slot.panel.title} · The descent lab`;
    // on a narrow screen the tabs scroll sideways: bring the open one into view (without scrolling the page)
    const [tab, strip] = [slot.tab.getBoundingClientRect(), tabs.getBoundingClientRect()];
    if (tab.left < strip.left || tab.right > strip.right) tabs.scrollLeft += tab.left - strip.left - 12;
  }
  if (!slot.view) slot.view = mount(slot);
  else if (query !== null) slot.view.apply(slot.config);
  const hash = hashOf(slot);
  if (location.hash !== hash) history[push ? 'pushState' : 'replaceState'](null, '', hash);
  routed = location.hash;
}

let routed = '';
function route(): void {
  if (location.hash === routed && active) return; // popstate and hashchange both report a fragment change
  const { panel, query } = parseHash(location.hash);
  if (!panel && active) return; // an in-page link such as the skip link's #main
  routed = location.hash;
  open(panel || PANELS[0].id, query, false);
}

window.addEventListener('popstate', route);
window.addEventListener('hashchange', route);
route();

const backends = new Set<string>();
onBackendReady((info) => {
  backends.add(`${info.backend} backend on ${info.threads} thread${info.threads > 1 ? 's' : ''}`);
  const isolation = info.crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated: one thread per worker';
  document.getElementById('backend')!.textContent = `descent runs in a Web Worker per panel: ${[...backends].join(', ')} (page ${isolation}).`;
});
