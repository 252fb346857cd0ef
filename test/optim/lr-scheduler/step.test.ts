import { optim } from '../../../src/index.js';
import { schedulerCase } from './sched-cases.js';

const S = optim.lrScheduler;
schedulerCase('StepLR', (o) => new S.StepLR(o, 7, 0.5), { closedForm: true });
schedulerCase('MultiStepLR', (o) => new S.MultiStepLR(o, [5, 12, 12, 30], 0.5), { closedForm: true });
schedulerCase('ExponentialLR', (o) => new S.ExponentialLR(o, 0.93), { closedForm: true });
