import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('NAdam', (params, options) => new optim.NAdam(params, options));
