import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('ASGD', (params, options) => new optim.ASGD(params, options));
