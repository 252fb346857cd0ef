// Shared driver for the PyTorch trajectory fixtures (tools/gen_optim_fixtures.py): a 3-5-1 tanh network
// on 8 fixed points, trained N steps by a rule; the parameters must match torch's.
import { test } from 'node:test';
import { type DType, type Tensor, optim } from '../../src/index.js';
import { type FixtureTensor, assertClose, fromFixture, loadFixture } from '../helpers.js';

export interface TorchCase {
  rule: string;
  options: Record<string, unknown>;
  groups?: Array<Record<string, unknown> & { params: string[] }>;
  dtype: DType;
  steps: number;
  negate: boolean;
  params: Record<string, FixtureTensor>;
  losses: number[];
}

interface OptimFixture {
  x: FixtureTensor;
  y: FixtureTensor;
  init: Record<string, FixtureTensor>;
  cases: TorchCase[];
}

export const fixture = loadFixture<OptimFixture>('optim');
export const NAMES = ['w1', 'b1', 'w2', 'b2'] as const;
export type Net = Record<(typeof NAMES)[number], Tensor>;

export function makeNet(dtype: DType): Net {
  const net = {} as Net;
  for (const n of NAMES) net[n] = fromFixture(fixture.init[n], { dtype, requiresGrad: true });
  return net;
}

export function netLoss(net: Net, dtype: DType, negate = false): Tensor {
  const x = fromFixture(fixture.x, { dtype });
  const y = fromFixture(fixture.y, { dtype });
  const out = x.matmul(net.w1).add(net.b1).tanh().matmul(net.w2).add(net.b2);
  const loss = out.sub(y).pow(2).mean();
  return negate ? loss.neg() : loss;
}

type AnyRule = optim.Optimizer<optim.BaseOptions, optim.ParamState>;
export type Make = (params: optim.Params, options: Record<string, unknown>) => AnyRule;

export function buildFor(c: TorchCase, net: Net, make: Make): AnyRule {
  const params = c.groups ? c.groups.map((g) => ({ ...g, params: g.params.map((n) => net[n as keyof Net]) })) : NAMES.map((n) => net[n]);
  return make(params as optim.Params, c.options);
}

/** Runs `steps` steps with a closure (zeroGrad, loss, backward), as the generator does. */
export function train(opt: AnyRule, net: Net, dtype: DType, steps: number, negate = false): number[] {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = netLoss(net, dtype, negate);
      l.backward();
      return l;
    });
    losses.push(typeof loss === 'number' ? loss : loss!.item());
  }
  return losses;
}

const describeOptions = (c: TorchCase) => JSON.stringify(c.groups ? { ...c.options, groups: c.groups } : c.options);

/** One test per fixture case of `rule`: float64 to 1e-6 relative, float32 to 1e-4. */
export function torchCases(rule: string, make: Make, { rtol32 = 1e-4 }: { rtol32?: number } = {}): void {
  const cases = fixture.cases.filter((c) => c.rule === rule);
  if (cases.length === 0) throw new Error(`no fixture cases for ${rule}`);
  for (const c of cases) {
    test(`${rule} ${describeOptions(c)} ${c.dtype}: ${c.steps} steps match PyTorch`, () => {
      const net = makeNet(c.dtype);
      const opt = buildFor(c, net, make);
      train(opt, net, c.dtype, c.steps, c.negate);
      const [rtol, atol] = c.dtype === 'float64' ? [1e-6, 1e-9] : [rtol32, 1e-5];
      for (const n of NAMES) assertClose(net[n], c.params[n], { rtol, atol, message: n });
    });
  }
}
