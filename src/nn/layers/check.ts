/** Throws `Layer: name must be a positive integer, got v` unless v is one (sizes given to layer constructors). */
export function checkPositiveInt(layer: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${layer}: ${name} must be a positive integer, got ${JSON.stringify(value) ?? String(value)}`);
  }
}
