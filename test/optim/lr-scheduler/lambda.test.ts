import { optim } from '../../../src/index.js';
import { schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('LambdaLR', (o) => new S.LambdaLR(o, (e) => 0.95 ** e), { closedForm: true });
schedulerCase('LambdaLR-groups', (o) => new S.LambdaLR(o, [(e) => 0.95 ** e, (e) => 1 / (1 + e)]));
schedulerCase('MultiplicativeLR', (o) => new S.MultiplicativeLR(o, () => 0.97));
