import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('RMSprop', (params, options) => new optim.RMSprop(params, options));
