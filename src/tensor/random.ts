/**
 * Seeded random streams. The engine is MT19937 seeded as PyTorch seeds its CPU generator, and the
 * uniform/normal draws follow PyTorch's CPU formulas, so `manualSeed(s); rand(n)` gives PyTorch's numbers.
 */
const N = 624;
const M = 397;

export interface GeneratorState {
  seed: number;
  mt: number[];
  index: number;
  /** A cached second Box-Muller sample, as PyTorch's generator keeps. */
  nextNormal: number | null;
}

export class Generator {
  private mt = new Uint32Array(N);
  private index = N;
  private seedValue = 0;
  private nextNormal: number | null = null;

  constructor(seed = 67280421310721) {
    this.manualSeed(seed);
  }

  /** Reseeds the stream; returns this generator, like torch.Generator.manual_seed. */
  manualSeed(seed: number): this {
    if (!Number.isInteger(seed) || seed < 0) throw new Error(`manualSeed: seed must be a non-negative integer, got ${seed}`);
    this.seedValue = seed;
    const mt = this.mt;
    mt[0] = seed >>> 0; // PyTorch seeds MT19937 with the low 32 bits
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = Math.imul(1812433253, prev) + i;
    }
    this.index = N;
    this.nextNormal = null;
    return this;
  }

  initialSeed(): number {
    return this.seedValue;
  }

  getState(): GeneratorState {
    return { seed: this.seedValue, mt: Array.from(this.mt), index: this.index, nextNormal: this.nextNormal };
  }

  setState(state: GeneratorState): this {
    if (!state || !Array.isArray(state.mt) || state.mt.length !== N || !Number.isInteger(state.index) || !(state.index >= 0 && state.index <= N)
      || !state.mt.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32) || !(state.nextNormal == null || typeof state.nextNormal === 'number')) {
      throw new Error('Generator.setState: not a generator state (expected { seed, mt: 624 numbers, index, nextNormal })');
    }
    this.mt.set(state.mt);
    this.index = state.index;
    this.seedValue = state.seed;
    this.nextNormal = state.nextNormal ?? null;
    return this;
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A float in [0, 1) with 24 random bits, PyTorch's uniform draw for float32. */
  uniform24(): number {
    return (this.nextUint32() & 0xffffff) * 5.9604644775390625e-8;
  }

  /** A float in [0, 1) with 53 random bits, PyTorch's uniform draw for float64. */
  uniform53(): number {
    const hi = this.nextUint32();
    const lo = this.nextUint32();
    // (hi << 32 | lo) & (2^53 - 1), scaled by 2^-53
    return ((hi & 0x1fffff) * 4294967296 + lo) * 1.1102230246251565e-16;
  }

  /** A standard normal sample in double precision (Box-Muller with a cached pair, as PyTorch's normal_distribution). */
  normal(): number {
    if (this.nextNormal !== null) {
      const v = this.nextNormal;
      this.nextNormal = null;
      return v;
    }
    const u1 = this.uniform53();
    const u2 = this.uniform53();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.nextNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** An integer in [0, n) for n <= 2^32, by modulo as PyTorch's random_ does. */
  below(n: number): number {
    return this.nextUint32() % n;
  }

  /** An integer in [0, n) for 2^32 <= n <= 2^53: a 64-bit draw (the first 32-bit draw high) modulo n, as PyTorch's random_ for large ranges. */
  below64(n: number): number {
    const hi = BigInt(this.nextUint32());
    const lo = BigInt(this.nextUint32());
    return Number(((hi << 32n) | lo) % BigInt(n));
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      let v = mt[(i + M) % N] ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v;
    }
    this.index = 0;
  }
}

/** The generator used when an op is not given one. */
export const defaultGenerator = new Generator();

/** Seeds the default generator, like torch.manual_seed. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
