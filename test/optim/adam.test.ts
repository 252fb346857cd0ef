import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('Adam', (params, options) => new optim.Adam(params, options));
