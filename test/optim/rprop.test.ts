import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('Rprop', (params, options) => new optim.Rprop(params, options));
