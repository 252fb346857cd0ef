import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('RAdam', (params, options) => new optim.RAdam(params, options));
