// Option objects checked at run time: from plain JavaScript a misspelled or PyTorch-spelled key
// (`is_causal`, `weight_decay`) would otherwise be ignored without a word.

/**
 * The keys of an options interface as a list the compiler checks against the interface: every key must be
 * listed, and no other.
 * @example const KNOWN = optionKeys<{ eps?: number; affine?: boolean }>({ eps: true, affine: true });
 */
export function optionKeys<T extends object>(keys: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

function toCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Throws unless `options` is undefined, null or an object whose keys are all in `known`; the message
 * names the owner, the unknown key and the known ones (and the camelCase name of a snake_case key).
 * @example checkKnownOptions('Dropout', { P: 0.5 }, ['generator']); // Error: Dropout: unknown option 'P' (expected one of generator)
 */
export function checkKnownOptions(owner: string, options: unknown, known: readonly string[], what = 'option'): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${owner}: expected an options object (${known.join(', ')}), got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const camel = toCamel(key);
    const hint = camel !== key && known.includes(camel) ? `; did you mean '${camel}'?` : '';
    throw new Error(`${owner}: unknown ${what} '${key}' (expected one of ${known.join(', ')})${hint}`);
  }
}

/**
 * `options` (or `{}` when undefined) after checkKnownOptions, for destructuring in one line.
 * @example const { reduction = 'mean' } = checkedOptions('mseLoss', options, ['reduction']);
 */
export function checkedOptions<T extends object>(owner: string, options: T | undefined, known: readonly string[]): T {
  checkKnownOptions(owner, options, known);
  return options ?? ({} as T);
}
