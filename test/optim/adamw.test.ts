import { optim } from '../../src/index.js';
import { torchCases } from './torch-cases.js';

torchCases('AdamW', (params, options) => new optim.AdamW(params, options));
