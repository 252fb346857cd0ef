// A small, strict flag parser with typed flag specifications: `--name value`, `--name=value`, `--flag`,
// `--no-flag`, positionals. A command declares its flags once (defineFlags); the parsed values come back typed
// by that declaration, checked against its type, range and choices, whether from the command line or from a
// config file.

interface BaseFlag {
  help: string;
  placeholder?: string;
  /** The default as the help shows it, when it is not a plain value ('runs/<recipe>'). */
  defaultHelp?: string;
}

export interface StringFlag extends BaseFlag {
  type: 'string';
  choices?: readonly string[];
  default?: string;
  /** Extra check of the value: returns what is wrong with it, or null. */
  check?: (value: string) => string | null;
}

export interface NumberFlag extends BaseFlag {
  type: 'number';
  integer?: boolean;
  /** 'positive' (> 0), 'non-negative' (>= 0), or an inclusive [min, max]. */
  range?: 'positive' | 'non-negative' | readonly [number, number];
  default?: number;
}

export interface BooleanFlag extends BaseFlag {
  type: 'boolean';
  default?: boolean;
}

export interface ListFlag extends BaseFlag {
  type: 'list';
  choices?: readonly string[];
  default?: readonly string[];
}

export type FlagSpec = StringFlag | NumberFlag | BooleanFlag | ListFlag;
export type FlagSpecs = Record<string, FlagSpec>;

/** 'batch-size' -> 'batchSize', as a type. */
export type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

type ValueOf<F extends FlagSpec> = F extends { type: 'number' } ? number
  : F extends { type: 'boolean' } ? boolean
    : F extends { type: 'list' } ? string[]
      : F extends { choices: readonly (infer C extends string)[] } ? C : string;

/** Parsed flags by camelCase name; a flag with a default always has a value. */
export type Flags<S extends FlagSpecs> = {
  [K in keyof S & string as CamelCase<K>]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

/** Flags given explicitly (command line or config file), without defaults. */
export type GivenFlags<S extends FlagSpecs> = { [K in keyof S & string as CamelCase<K>]?: ValueOf<S[K]> };

/**
 * Declares a command's flags; keeps the literal types (choices) that `Flags<typeof specs>` is built from.
 * @example const FLAGS = defineFlags({ lr: { type: 'number', range: 'positive', help: 'learning rate' } });
 */
export function defineFlags<const S extends FlagSpecs>(specs: S): S {
  return specs;
}

/** A mistake in the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/**
 * The one case conversion of flag names: kebab-case on the command line, camelCase in code and config files.
 * @example camelCase('batch-size') // 'batchSize'
 */
export function camelCase(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** @example kebabCase('batchSize') // 'batch-size' */
export function kebabCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Parses `argv` against `specs`; unknown options and bad values are UsageErrors that list the valid ones. */
export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S, command: string): { given: GivenFlags<S>; positionals: string[] } {
  const given: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positionals.push(arg); continue; }
    let [name, value] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const spec = specs[name];
    if (!spec && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean') {
      given[camelCase(name.slice(3))] = false;
      continue;
    }
    if (!spec) {
      throw new UsageError(`descent ${command}: unknown option --${name} (valid options: ${Object.keys(specs).map((k) => `--${k}`).join(', ')})`);
    }
    if (spec.type !== 'boolean' && value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`descent ${command}: --${name} needs a value (${spec.placeholder ?? spec.type})`);
    }
    given[camelCase(name)] = convert(command, name, spec, value);
  }
  return { given: given as GivenFlags<S>, positionals };
}

/**
 * The flags of a config file (camelCase keys, JSON values), checked like the command line's; `source` names
 * the file in errors. Keys that are not flags of `specs` (nor in `extra`) are refused.
 */
export function configFlags<S extends FlagSpecs>(json: Record<string, unknown>, specs: S, command: string, source: string, extra: readonly string[] = []): GivenFlags<S> {
  const byKey = new Map(Object.keys(specs).map((k) => [camelCase(k), k]));
  const given: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(json)) {
    if (extra.includes(key)) continue;
    const name = byKey.get(key);
    if (!name) throw new UsageError(`descent ${command}: unknown key '${key}' in ${source} (valid keys: ${[...extra, ...byKey.keys()].join(', ')})`);
    const spec = specs[name];
    const text = Array.isArray(v) ? v.join(',') : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
    if (text === null) throw new UsageError(`descent ${command}: '${key}' in ${source} must be a ${spec.type}, got ${JSON.stringify(v)}`);
    given[key] = convert(command, name, spec, text, source);
  }
  return given as GivenFlags<S>;
}

/**
 * Fills in defaults under the given values (later layers win): the flags a command runs with.
 * @example const flags = withDefaults(TRAIN_FLAGS, fromConfigFile, fromCommandLine);
 */
export function withDefaults<S extends FlagSpecs>(specs: S, ...layers: GivenFlags<S>[]): Flags<S> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(specs)) if (spec.default !== undefined) out[camelCase(k)] = spec.default;
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (v !== undefined) out[k] = v;
  return out as Flags<S>;
}

/** What a number flag accepts, in words. */
function describeNumber(spec: NumberFlag): string {
  const { integer, range } = spec;
  if (range === 'positive') return integer ? 'a positive integer' : 'a positive number';
  if (range === 'non-negative') return integer ? 'a non-negative integer' : 'a number >= 0';
  if (range) return `${integer ? 'an integer' : 'a number'} in [${range[0]}, ${range[1]}]`;
  return integer ? 'an integer' : 'a number';
}

/**
 * One value (command-line text) of flag `name` converted to its type and checked; errors name the flag, or
 * the key in `source` (a config file) when the value came from there.
 */
export function convert(command: string, name: string, spec: FlagSpec, value: string | undefined, source?: string): string | number | boolean | string[] {
  const what = source ? `'${camelCase(name)}' in ${source}` : `--${name}`;
  const fail = (expected: string): never => { throw new UsageError(`descent ${command}: ${what} must be ${expected}, got '${value}'`); };
  switch (spec.type) {
    case 'boolean':
      if (value !== undefined && value !== 'true' && value !== 'false') fail('given without a value, or true/false');
      return value !== 'false';
    case 'number': {
      const n = Number(value);
      if (value === undefined || value.trim() === '' || !Number.isFinite(n)) fail('a number');
      const { integer, range } = spec;
      const inRange = range === 'positive' ? n > 0 : range === 'non-negative' ? n >= 0 : range ? n >= range[0] && n <= range[1] : true;
      if ((integer && !Number.isSafeInteger(n)) || !inRange) fail(describeNumber(spec));
      return n;
    }
    case 'list': {
      const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) fail('a comma-separated list of at least one value');
      if (spec.choices) for (const it of items) checkChoice(command, name, spec.choices, it);
      return items;
    }
    case 'string': {
      const text = value ?? '';
      if (spec.choices) checkChoice(command, name, spec.choices, text);
      const problem = spec.check?.(text);
      if (problem) fail(problem);
      return text;
    }
  }
}

/** An error listing the valid choices unless `value` is one of them. */
export function checkChoice(command: string, name: string, choices: readonly string[], value: string): void {
  if (!choices.includes(value)) throw new UsageError(`descent ${command}: unknown ${name} '${value}' (valid choices: ${choices.join(', ')})`);
}

/** The --help text of a command: usage, description and one line per option. */
export function helpText(usage: string, description: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([k, s]) => {
    const left = `  --${k}${s.type === 'boolean' ? '' : ` ${s.placeholder ?? (s.type === 'number' ? 'N' : 'VALUE')}`}`;
    const shownDefault = s.defaultHelp ?? (s.default === undefined ? undefined : Array.isArray(s.default) ? s.default.join(',') : String(s.default));
    const choices = 'choices' in s ? s.choices : undefined;
    const extra = [choices ? `one of: ${choices.join(', ')}` : '', shownDefault !== undefined ? `default ${shownDefault}` : ''].filter(Boolean).join('; ');
    return `${left.padEnd(30)} ${s.help}${extra ? ` (${extra})` : ''}`;
  });
  return `Usage: ${usage}\n\n${description}\n\nOptions:\n${rows.join('\n')}\n${'  --help'.padEnd(30)} show this help\n`;
}
