import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('Adamax', (params, options) => new optim.Adamax(params, options));
