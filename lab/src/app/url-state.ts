// The URL holds the open panel and its configuration, so that a link reproduces what someone saw:
// `#/surfaces?f=beale&x=1&y=1.5&rules=adam,lbfgs`. Only values that differ from the defaults are written.

export type ConfigValue = number | string | boolean;
export type Config = Record<string, ConfigValue>;

const formatNumber = (n: number) => String(Number(n.toPrecision(12))); // 0.1 + 0.2 is written as 0.3

/** `config`'s values that differ from `defaults`, as URL parameters. */
export function encodeConfig(config: Config, defaults: Config): string {
  const params = new URLSearchParams();
  for (const [key, fallback] of Object.entries(defaults)) {
    const value = config[key];
    if (value === undefined || value === fallback) continue;
    params.set(key, typeof value === 'number' ? formatNumber(value) : typeof value === 'boolean' ? (value ? '1' : '0') : value);
  }
  return params.toString().replaceAll('%2C', ',');
}

/** `defaults`, with each value the parameters give replaced (parsed as the default's type; unreadable values are ignored). */
export function decodeConfig(query: string, defaults: Config): Config {
  const params = new URLSearchParams(query);
  const config: Config = { ...defaults };
  for (const [key, fallback] of Object.entries(defaults)) {
    const text = params.get(key);
    if (text === null) continue;
    if (typeof fallback === 'number') {
      const n = Number(text);
      if (text.trim() !== '' && Number.isFinite(n)) config[key] = n;
    } else if (typeof fallback === 'boolean') {
      if (text === '1' || text === 'true') config[key] = true;
      if (text === '0' || text === 'false') config[key] = false;
    } else {
      config[key] = text;
    }
  }
  return config;
}

/** `#/panel?query` → its parts ('' when absent, or when the fragment is not a panel's, such as `#main`). */
export function parseHash(hash: string): { panel: string; query: string } {
  const match = /^#\/([\w-]*)\??(.*)$/.exec(hash);
  return match ? { panel: match[1], query: match[2] } : { panel: '', query: '' };
}

export function panelHash(panel: string, config: Config, defaults: Config): string {
  const query = encodeConfig(config, defaults);
  return `#/${panel}${query ? `?${query}` : ''}`;
}
