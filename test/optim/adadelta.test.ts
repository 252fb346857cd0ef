import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('Adadelta', (params, options) => new optim.Adadelta(params, options));
