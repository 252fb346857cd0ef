/** A small, strict flag parser: `--name value`, `--name=value`, `--flag`, `--no-flag`, positionals. */
export interface FlagSpec {
  type: 'string' | 'number' | 'boolean' | 'list';
  help: string;
  choices?: readonly string[];
  default?: string | number | boolean;
  placeholder?: string;
}

export type Flags = Record<string, string | number | boolean | string[] | undefined>;

/** A mistake in the command line: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses `argv` against `specs`; unknown options and bad values are UsageErrors that list the valid ones. */
export function parseArgs(argv: readonly string[], specs: Record<string, FlagSpec>, command: string): { flags: Flags; positionals: string[] } {
  const flags: Flags = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) { positionals.push(arg); continue; }
    let [name, value] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    let spec = specs[name];
    if (!spec && name.startsWith('no-') && specs[name.slice(3)]?.type === 'boolean') {
      flags[camel(name.slice(3))] = false;
      continue;
    }
    if (!spec) {
      throw new UsageError(`descent ${command}: unknown option --${name} (valid options: ${Object.keys(specs).map((k) => `--${k}`).join(', ')})`);
    }
    if (spec.type === 'boolean') {
      if (value !== undefined && !['true', 'false'].includes(value)) throw new UsageError(`descent ${command}: --${name} takes no value or true/false, got '${value}'`);
      flags[camel(name)] = value !== 'false';
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`descent ${command}: --${name} needs a value (${spec.placeholder ?? spec.type})`);
    }
    flags[camel(name)] = convert(command, name, spec, value);
  }
  return { flags, positionals };
}

/** One option value converted to its type and checked against its choices. */
export function convert(command: string, name: string, spec: FlagSpec, value: string): string | number | string[] {
  if (spec.type === 'number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`descent ${command}: --${name} must be a number, got '${value}'`);
    return n;
  }
  if (spec.type === 'list') {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    if (spec.choices) for (const it of items) checkChoice(command, name, spec.choices, it);
    return items;
  }
  if (spec.choices) checkChoice(command, name, spec.choices, value);
  return value;
}

/** An error listing the valid choices unless `value` is one of them. */
export function checkChoice(command: string, name: string, choices: readonly string[], value: string): void {
  if (!choices.includes(value)) throw new UsageError(`descent ${command}: unknown ${name} '${value}' (valid choices: ${choices.join(', ')})`);
}

/** The --help text of a command: usage, description and one line per option. */
export function helpText(usage: string, description: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([k, s]) => {
    const left = `  --${k}${s.type === 'boolean' ? '' : ` ${s.placeholder ?? (s.type === 'number' ? 'N' : 'VALUE')}`}`;
    const extra = [s.choices ? `one of: ${s.choices.join(', ')}` : '', s.default !== undefined ? `default ${s.default}` : ''].filter(Boolean).join('; ');
    return `${left.padEnd(30)} ${s.help}${extra ? ` (${extra})` : ''}`;
  });
  return `Usage: ${usage}\n\n${description}\n\nOptions:\n${rows.join('\n')}\n${'  --help'.padEnd(30)} show this help\n`;
}
