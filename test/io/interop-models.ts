// The interop cases of tools/gen_interop_fixtures.py on descent's side: modules built from the same specs
// (PyTorch's class names, arguments and keyword arguments, the keywords camelCased), weights moved off their
// initial values, and inputs; shared by the test and tools/write_descent_state_dicts.mjs.
import { Tensor, manualSeed, nn, noGrad, randint, randn } from '../../src/index.js';
import { RECIPES } from '../../src/cli/recipes.js';

export interface ModuleSpec {
  layer: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  children?: ModuleSpec[];
  encoder_layer?: ModuleSpec;
  decoder_layer?: ModuleSpec;
  num_layers?: number;
  norm?: ModuleSpec;
  name?: string;
}

export interface InputSpec {
  shape: number[];
  /** Integer tokens in [0, high) when given, else randn. */
  high?: number;
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The descent module a spec describes (PyTorch's constructor, with descent's camelCase options). */
export function buildModule(spec: ModuleSpec): nn.Module {
  switch (spec.layer) {
    case 'Sequential': return new nn.Sequential(...spec.children!.map(buildModule));
    case 'TransformerEncoder': return new nn.TransformerEncoder(buildModule(spec.encoder_layer!) as nn.TransformerEncoderLayer, spec.num_layers!, { norm: buildModule(spec.norm!) as nn.Module<[Tensor], Tensor> });
    case 'TransformerDecoder': return new nn.TransformerDecoder(buildModule(spec.decoder_layer!) as nn.TransformerDecoderLayer, spec.num_layers!, { norm: buildModule(spec.norm!) as nn.Module<[Tensor], Tensor> });
    case 'recipe': return RECIPES[spec.name!].model();
  }
  const Layer = (nn as unknown as Record<string, new (...args: unknown[]) => nn.Module>)[spec.layer];
  if (typeof Layer !== 'function') throw new Error(`interop: no layer nn.${spec.layer}`);
  const options = Object.fromEntries(Object.entries(spec.kwargs ?? {}).map(([k, v]) => [camel(k), v]));
  return Object.keys(options).length ? new Layer(...(spec.args ?? []), options) : new Layer(...(spec.args ?? []));
}

export function makeInputs(specs: InputSpec[]): Tensor[] {
  return specs.map((s) => (s.high !== undefined ? randint(0, s.high, s.shape, { dtype: 'int32' }) : randn(s.shape)));
}

/** Weights off their initial values, as the fixture script does in PyTorch: noise, and BatchNorm passes. */
export function moveWeights(m: nn.Module, inputs: InputSpec[]): nn.Module {
  noGrad(() => {
    for (const p of m.parameters()) p.add_(randn(p.shape).mul(0.1));
    if ([...m.modules()].some((x) => x instanceof nn.BatchNorm1d || x instanceof nn.BatchNorm2d)) {
      m.train();
      for (let i = 0; i < 3; i++) (m as unknown as (...a: Tensor[]) => unknown)(...makeInputs(inputs).map((x) => (x.dtype === 'int32' ? x : x.mul(2).add(0.5))));
    }
  });
  return m.eval();
}

/** The seed of descent's side of a case (its position among the cases). */
export function descentCase(index: number, spec: ModuleSpec, inputs: InputSpec[]): { model: nn.Module; inputs: Tensor[] } {
  manualSeed(1000 + index);
  const model = moveWeights(buildModule(spec), inputs);
  return { model, inputs: makeInputs(inputs) };
}

/** The tensors of a forward's result, in order (as the fixture script's flat()). */
export function outputsOf(model: nn.Module, inputs: Tensor[]): Tensor[] {
  const out: Tensor[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Tensor) out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
  };
  walk(noGrad(() => (model as unknown as (...a: Tensor[]) => unknown)(...inputs)));
  return out;
}
