// Recurrent layers, as torch.nn.RNN, LSTM and GRU: same constructor options, parameter names
// (weight_ih_l0, bias_hh_l1_reverse, ...), default initialization, gate layouts and state shapes.
import { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import type { Generator } from '../../tensor/random.js';
import { cat, reshape, select, squeeze, stack, t as transposed, transpose, unsqueeze } from '../../ops/shape.js';
import { indexSelect } from '../../ops/indexing.js';
import { PackedSequence } from '../utils/rnn.js';
import { checkKnownOptions, optionKeys } from '../../tensor/options.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { uniform_ } from '../init.js';
import { linear } from '../functional/linear.js';
import { dropout } from '../functional/dropout.js';
import { type RecurrentMode, type RecurrentWeights, type SequenceLayout, lastStates, packedLayout, paddedLayout, recurrentLayer } from '../../ops/recurrent.js';
import { type RnnNonlinearity, gruStep, lstmStep, rnnStep } from '../functional/rnn.js';

export interface RNNOptions {
  /** Stacked recurrent layers; each after the first reads the previous one's output. Default 1. */
  numLayers?: number;
  /** Learnable biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output are [N, T, features] instead of [T, N, features] (the states keep [layers, N, hidden]). Default false. */
  batchFirst?: boolean;
  /** Dropout probability on the outputs of each layer except the last, in training mode. Default 0. */
  dropout?: number;
  /** Run a second pass from the end of the sequence and concatenate both outputs. Default false. */
  bidirectional?: boolean;
  dtype?: DType;
  /** Stream for the initial weights (default: the global one, so manualSeed reproduces PyTorch's weights). */
  generator?: Generator;
  /** Stream for the dropout masks (default: the global one). */
  dropoutGenerator?: Generator;
}

const RNN_OPTIONS = optionKeys<RNNOptions>({
  numLayers: true, bias: true, batchFirst: true, dropout: true, bidirectional: true, dtype: true, generator: true, dropoutGenerator: true,
});
const CELL_OPTIONS = ['bias', 'dtype', 'generator'];

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };
const MODES: Record<Mode, RecurrentMode> = { RNN_TANH: 'rnnTanh', RNN_RELU: 'rnnRelu', LSTM: 'lstm', GRU: 'gru' };

// Calling a recurrent layer: a padded (or unbatched) tensor in gives a tensor out, a PackedSequence a PackedSequence.
export interface RNNBase<State> {
  (input: Tensor, state?: State | null): [Tensor, State];
  (input: PackedSequence, state?: State | null): [PackedSequence, State];
}

/**
 * What RNN, LSTM and GRU share: the parameters of every layer and direction, the walk over time,
 * dropout between layers, and the layout conversions (batchFirst, unbatched input).
 * States are lists of tensors of shape [numLayers * numDirections, N, hidden]: [h] or, for the LSTM, [h, c].
 */
export abstract class RNNBase<State> extends Module<[Tensor, (State | null)?], [Tensor, State]> {
  // the per-layer parameters, registered under computed names: weightIhL0, biasHhL1Reverse, ...
  [weight: `weightIh${string}` | `weightHh${string}` | `weightHr${string}` | `biasIh${string}` | `biasHh${string}`]: Parameter;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly dropoutGenerator: Generator | undefined;
  /** LSTM only: the size of h after its projection by weight_hr (0: no projection). */
  readonly projSize: number;
  private readonly weightNames: string[][] = [];

  protected constructor(
    private readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RNNOptions & { projSize?: number },
  ) {
    super();
    const extra = mode === 'LSTM' ? ['projSize'] : mode === 'GRU' ? [] : ['nonlinearity'];
    checkKnownOptions(this.constructor.name, options, [...RNN_OPTIONS, ...extra]);
    const { projSize = 0 } = options;
    const { numLayers = 1, bias = true, batchFirst = false, dropout: p = 0, bidirectional = false, dtype = 'float32' } = options;
    const name = this.constructor.name;
    if (!Number.isInteger(inputSize) || inputSize <= 0) throw new Error(`${name}: inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new Error(`${name}: hiddenSize must be a positive integer, got ${hiddenSize}`);
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new Error(`${name}: numLayers must be a positive integer, got ${numLayers}`);
    if (!(p >= 0 && p <= 1)) throw new Error(`${name}: dropout should be a number in range [0, 1], got ${p}`);
    if (!Number.isInteger(projSize) || projSize < 0) throw new Error(`${name}: projSize should be a non-negative integer, got ${projSize}`);
    if (projSize >= hiddenSize) throw new Error(`${name}: projSize (${projSize}) has to be smaller than hiddenSize (${hiddenSize})`);
    this.projSize = projSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = p;
    this.bidirectional = bidirectional;
    this.dropoutGenerator = options.dropoutGenerator;
    const gateSize = GATES[mode] * hiddenSize;
    const directions = bidirectional ? 2 : 1;
    const outSize = projSize > 0 ? projSize : hiddenSize;
    // registered layer by layer, direction by direction, as PyTorch, so that the initial draws match
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < directions; dir++) {
        const suffix = `L${layer}${dir === 1 ? 'Reverse' : ''}`;
        const layerInput = layer === 0 ? inputSize : outSize * directions;
        const names = [`weightIh${suffix}`, `weightHh${suffix}`];
        this.registerParameter(names[0], new Parameter(zeros([gateSize, layerInput], { dtype })));
        this.registerParameter(names[1], new Parameter(zeros([gateSize, outSize], { dtype })));
        if (bias) {
          names.push(`biasIh${suffix}`, `biasHh${suffix}`);
          this.registerParameter(names[2], new Parameter(zeros([gateSize], { dtype })));
          this.registerParameter(names[3], new Parameter(zeros([gateSize], { dtype })));
        }
        if (projSize > 0) {
          names[4] = `weightHr${suffix}`;
          this.registerParameter(names[4], new Parameter(zeros([projSize, hiddenSize], { dtype })));
        }
        this.weightNames.push(names);
      }
    }
    this.resetParameters(options.generator);
  }

  /** Every weight and bias ~ U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), PyTorch's default, in its order. */
  resetParameters(generator?: Generator): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv, generator);
  }

  /** Turns the user's state (h, or [h, c]) into the list of state tensors. */
  protected abstract stateList(state: State): Tensor[];
  protected abstract fromStateList(states: Tensor[]): State;

  private get label(): string {
    return `${this.constructor.name}(${this.inputSize}->${this.hiddenSize})`;
  }

  private weights(index: number): RecurrentWeights {
    const fields = this as unknown as Record<string, Tensor>;
    const [wIh, wHh, bIh, bHh, wHr] = this.weightNames[index];
    return {
      weightIh: fields[wIh], weightHh: fields[wHh], biasIh: bIh ? fields[bIh] : null, biasHh: bHh ? fields[bHh] : null,
      weightHr: wHr ? fields[wHr] : null,
    };
  }

  /** The sizes of the states: h (projSize when projecting), and c for the LSTM. */
  private get stateSizes(): number[] {
    const h = this.projSize > 0 ? this.projSize : this.hiddenSize;
    return this.mode === 'LSTM' ? [h, this.hiddenSize] : [h];
  }

  forward(input: Tensor, state?: State | null): [Tensor, State];
  forward(input: PackedSequence, state?: State | null): [PackedSequence, State];
  forward(input: Tensor | PackedSequence, state?: State | null): [Tensor | PackedSequence, State] {
    const packed = input instanceof PackedSequence ? input : null;
    const x = packed ? packed.data : input as Tensor;
    if (packed ? x.ndim !== 2 || x.shape[1] !== this.inputSize : !(x instanceof Tensor) || (x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== this.inputSize) {
      const got = x instanceof Tensor ? formatShape(x.shape) : typeof x;
      const layout = this.batchFirst ? `[N,T,${this.inputSize}]` : `[T,N,${this.inputSize}]`;
      throw new Error(`${this.label}: expected input ${layout}, unbatched [T,${this.inputSize}] or packed data [*,${this.inputSize}], got ${got}`);
    }
    const batched = packed !== null || x.ndim === 3;
    // the layers work on rows [rows, features]: a packed batch's data, or a padded one reshaped (no copy)
    const steps = packed ? packed.batchSizes.length : x.shape[this.batchFirst && batched ? 1 : 0];
    const layout = packed ? packedLayout(packed.batchSizes) : paddedLayout(steps, batched ? x.shape[this.batchFirst ? 0 : 1] : 1, this.batchFirst && batched);
    if (steps === 0) throw new Error(`${this.label}: expected a sequence length larger than 0, got input ${formatShape(x.shape)}`);
    const N = layout.batch;
    let rows = packed ? x : reshape(x, [-1, this.inputSize]);
    const init = state == null ? null : this.initialStates(state, batched, N, packed?.sortedIndices ?? null);
    const directions = this.bidirectional ? 2 : 1;
    const finals: Tensor[][] = this.stateSizes.map(() => []);
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let dir = 0; dir < directions; dir++) {
        const index = layer * directions + dir;
        const [h0, c0] = init ? init.map((s) => select(s, 0, index)) : [null, null];
        const { out, cN } = recurrentLayer(MODES[this.mode], rows, this.weights(index), layout, dir === 1, h0, c0 ?? null, this.label);
        outputs.push(out);
        finals[0].push(lastStates(out, layout, dir === 1));
        if (cN) finals[1].push(cN);
      }
      rows = directions === 2 ? cat(outputs, 1) : outputs[0];
      if (this.training && this.dropout > 0 && layer < this.numLayers - 1) rows = this.dropoutBetweenLayers(rows, layout, steps);
    }
    let last = finals.map((list) => stack(list, 0));
    if (packed) {
      // states back in the caller's batch order
      if (packed.unsortedIndices) last = last.map((s) => indexSelect(s, 1, packed.unsortedIndices!));
      return [new PackedSequence(rows, packed.batchSizes, packed.sortedIndices, packed.unsortedIndices), this.fromStateList(last)];
    }
    const features = rows.shape[1];
    const output = !batched ? rows : reshape(rows, this.batchFirst ? [N, steps, features] : [steps, N, features]);
    if (!batched) last = last.map((s) => squeeze(s, 1));
    return [output, this.fromStateList(last)];
  }

  // the same draws, in the same order, as dropout over the time-major output of the layer (PyTorch's order)
  private dropoutBetweenLayers(rows: Tensor, layout: SequenceLayout, steps: number): Tensor {
    if (layout.batchStride === 1) return dropout(rows, this.dropout, true, this.dropoutGenerator);
    const byBatch = reshape(rows, [layout.batch, steps, rows.shape[1]]);
    const dropped = dropout(transpose(byBatch, 0, 1), this.dropout, true, this.dropoutGenerator);
    return reshape(transpose(dropped, 0, 1), rows.shape);
  }

  /** The given initial states as [layers * directions, N, hidden], checked, in the packed (sorted) order if any. */
  private initialStates(state: State, batched: boolean, n: number, sortedIndices: Tensor | null): Tensor[] {
    const directions = this.bidirectional ? 2 : 1;
    return this.stateList(state).map((s, k) => {
      const size = this.stateSizes[k];
      const expected = batched ? [this.numLayers * directions, n, size] : [this.numLayers * directions, size];
      if (!(s instanceof Tensor) || !shapesEqual(s.shape, expected)) {
        const what = this.mode === 'LSTM' ? ['h0', 'c0'][k] : 'h0';
        throw new Error(`${this.label}: expected ${what} of shape ${formatShape(expected)}, got ${s instanceof Tensor ? formatShape(s.shape) : typeof s}`);
      }
      if (!batched) return unsqueeze(s, 1);
      return sortedIndices ? indexSelect(s, 1, sortedIndices) : s;
    });
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.numLayers !== 1) parts.push(`numLayers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=false');
    if (this.batchFirst) parts.push('batchFirst=true');
    if (this.dropout) parts.push(`dropout=${this.dropout}`);
    if (this.bidirectional) parts.push('bidirectional=true');
    if (this.projSize) parts.push(`projSize=${this.projSize}`);
    return parts.join(', ');
  }
}

/**
 * An Elman RNN, h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh), as torch.nn.RNN. Returns
 * [output, hN]: output [T, N, D * hidden] holds the last layer's h at every step, hN [layers * D, N, hidden].
 * @example
 * const rnn = new RNN(10, 20, { numLayers: 2 });
 * const [output, hN] = rnn(randn([5, 3, 10])); // output [5, 3, 20], hN [2, 3, 20]
 */
export class RNN extends RNNBase<Tensor> {
  readonly nonlinearity: RnnNonlinearity;
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions & { nonlinearity?: RnnNonlinearity } = {}) {
    const { nonlinearity = 'tanh' } = options;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`RNN: unknown nonlinearity '${String(nonlinearity)}' (expected 'tanh' or 'relu')`);
    super(nonlinearity === 'relu' ? 'RNN_RELU' : 'RNN_TANH', inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }
  protected stateList(h: Tensor): Tensor[] {
    return [h];
  }
  protected fromStateList([h]: Tensor[]): Tensor {
    return h;
  }
}

/**
 * Long short-term memory, as torch.nn.LSTM (gates i, f, g, o). Returns [output, [hN, cN]]. With `projSize`,
 * h is projected to projSize features by weight_hr_l{k} at every step (h0, hN and the output use projSize).
 * @example
 * const lstm = new LSTM(10, 20, { batchFirst: true, bidirectional: true });
 * const [output, [hN, cN]] = lstm(randn([3, 5, 10])); // output [3, 5, 40], hN and cN [2, 3, 20]
 */
export class LSTM extends RNNBase<[Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions & { projSize?: number } = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }
  protected stateList(state: [Tensor, Tensor]): Tensor[] {
    if (!Array.isArray(state) || state.length !== 2) throw new Error(`LSTM(${this.inputSize}->${this.hiddenSize}): expected the initial state as [h0, c0]`);
    return [state[0], state[1]];
  }
  protected fromStateList([h, c]: Tensor[]): [Tensor, Tensor] {
    return [h, c];
  }
}

/**
 * Gated recurrent unit, as torch.nn.GRU (gates r, z, n; b_hn inside the reset product). Returns [output, hN].
 * @example
 * const gru = new GRU(10, 20);
 * const [output, hN] = gru(randn([5, 3, 10]), zeros([1, 3, 20]));
 */
export class GRU extends RNNBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }
  protected stateList(h: Tensor): Tensor[] {
    return [h];
  }
  protected fromStateList([h]: Tensor[]): Tensor {
    return h;
  }
}

/**
 * What RNNCell, LSTMCell and GRUCell share: weight_ih [gates * hidden, input], weight_hh [gates * hidden, hidden],
 * bias_ih and bias_hh, all starting U(-1/sqrt(hidden), 1/sqrt(hidden)) as PyTorch's RNNCellBase.
 */
export abstract class RNNCellBase<State> extends Module<[Tensor, (State | null)?], State> {
  weightIh: Parameter;
  weightHh: Parameter;
  biasIh: Parameter | null;
  biasHh: Parameter | null;

  protected constructor(readonly inputSize: number, readonly hiddenSize: number, gates: number, options: { bias?: boolean; dtype?: DType; generator?: Generator }) {
    super();
    checkKnownOptions(this.constructor.name, options, gates === 1 ? [...CELL_OPTIONS, 'nonlinearity'] : CELL_OPTIONS);
    const { bias = true, dtype = 'float32' } = options;
    this.weightIh = new Parameter(zeros([gates * hiddenSize, inputSize], { dtype }));
    this.weightHh = new Parameter(zeros([gates * hiddenSize, hiddenSize], { dtype }));
    this.biasIh = bias ? new Parameter(zeros([gates * hiddenSize], { dtype })) : null;
    this.biasHh = bias ? new Parameter(zeros([gates * hiddenSize], { dtype })) : null;
    this.resetParameters(options.generator);
  }

  resetParameters(generator?: Generator): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) uniform_(p, -stdv, stdv, generator);
  }

  protected get label(): string {
    return `${this.constructor.name}(${this.inputSize}->${this.hiddenSize})`;
  }

  /** The input as [N, inputSize] (unbatched [inputSize] gets a batch of 1), and whether it was batched. */
  protected batchedInput(input: Tensor): [Tensor, boolean] {
    if (!(input instanceof Tensor) || (input.ndim !== 1 && input.ndim !== 2) || input.shape[input.ndim - 1] !== this.inputSize) {
      throw new Error(`${this.label}: expected input [N,${this.inputSize}] or [${this.inputSize}], got ${input instanceof Tensor ? formatShape(input.shape) : typeof input}`);
    }
    return input.ndim === 2 ? [input, true] : [unsqueeze(input, 0), false];
  }

  /** A given state as [N, hidden], or zeros. */
  protected batchedState(state: Tensor | undefined, n: number, batched: boolean, dtype: DType, what: string): Tensor {
    if (state === undefined) return zeros([n, this.hiddenSize], { dtype, device: this.weightIh.device });
    const expected = batched ? [n, this.hiddenSize] : [this.hiddenSize];
    if (!(state instanceof Tensor) || !shapesEqual(state.shape, expected)) {
      throw new Error(`${this.label}: expected ${what} of shape ${formatShape(expected)}, got ${state instanceof Tensor ? formatShape(state.shape) : typeof state}`);
    }
    return batched ? state : unsqueeze(state, 0);
  }

  protected unbatch(t: Tensor, batched: boolean): Tensor {
    return batched ? t : squeeze(t, 0);
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.biasIh ? '' : ', bias=false'}`;
  }
}

/**
 * One step of an Elman RNN, as torch.nn.RNNCell: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh).
 * @example
 * const cell = new RNNCell(10, 20);
 * let h = zeros([3, 20]);
 * for (const x of randn([6, 3, 10]).split(1)) h = cell(x.squeeze(0), h);
 */
export class RNNCell extends RNNCellBase<Tensor> {
  readonly nonlinearity: RnnNonlinearity;
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; nonlinearity?: RnnNonlinearity; dtype?: DType; generator?: Generator } = {}) {
    super(inputSize, hiddenSize, 1, options);
    const { nonlinearity = 'tanh' } = options;
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`RNNCell: unknown nonlinearity '${String(nonlinearity)}' (expected 'tanh' or 'relu')`);
    this.nonlinearity = nonlinearity;
  }
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchedInput(input);
    const h = this.batchedState(hx ?? undefined, x.shape[0], batched, x.dtype, 'hx');
    const gates = linear(x, this.weightIh, this.biasIh, this.label);
    return this.unbatch(rnnStep(gates, h, transposed(this.weightHh), this.biasHh, this.nonlinearity), batched);
  }
}

/**
 * One LSTM step, as torch.nn.LSTMCell; returns [h', c'].
 * @example
 * const cell = new LSTMCell(10, 20);
 * const [h, c] = cell(randn([3, 10])); // zero initial state
 * const [h2, c2] = cell(randn([3, 10]), [h, c]);
 */
export class LSTMCell extends RNNCellBase<[Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; dtype?: DType; generator?: Generator } = {}) {
    super(inputSize, hiddenSize, 4, options);
  }
  forward(input: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [x, batched] = this.batchedInput(input);
    const h = this.batchedState(state?.[0], x.shape[0], batched, x.dtype, 'hx');
    const c = this.batchedState(state?.[1], x.shape[0], batched, x.dtype, 'cx');
    const gates = linear(x, this.weightIh, this.biasIh, this.label);
    const [hNext, cNext] = lstmStep(gates, h, c, transposed(this.weightHh), this.biasHh);
    return [this.unbatch(hNext, batched), this.unbatch(cNext, batched)];
  }
}

/**
 * One GRU step, as torch.nn.GRUCell.
 * @example
 * const cell = new GRUCell(10, 20);
 * const h = cell(randn([3, 10]), zeros([3, 20]));
 */
export class GRUCell extends RNNCellBase<Tensor> {
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; dtype?: DType; generator?: Generator } = {}) {
    super(inputSize, hiddenSize, 3, options);
  }
  forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchedInput(input);
    const h = this.batchedState(hx ?? undefined, x.shape[0], batched, x.dtype, 'hx');
    const gates = linear(x, this.weightIh, this.biasIh, this.label);
    return this.unbatch(gruStep(gates, h, transposed(this.weightHh), this.biasHh), batched);
  }
}
