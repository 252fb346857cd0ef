import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('Adagrad', (params, options) => new optim.Adagrad(params, options));
