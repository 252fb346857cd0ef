import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('SGD', (params, options) => new optim.SGD(params, options as Partial<optim.SGDOptions> & { lr: number }));
