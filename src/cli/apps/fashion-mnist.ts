// Image recognition: Fashion-MNIST (60,000 + 10,000 grey 28x28 images of 10 clothing classes) with the CNN of
// npm start at 16 channels (batch normalization, a residual block).
import { nn } from '../../index.js';
import { datasets } from '../../node/index.js';
import { defineRecipe } from '../recipe.js';
import { datasetOptions } from './common.js';
import { mnistCnn } from './mnist.js';

export const fashionCnnRecipe = defineRecipe({
  name: 'fashion-cnn',
  description: 'CNN with batch normalization and a residual block (16 channels) on Fashion-MNIST, 60,000/10,000',
  bar: 'test accuracy >= 91%',
  model: () => mnistCnn(16),
  data: (source) => datasets.fashionMnist(datasetOptions(source)),
  loss: nn.functional.crossEntropy,
  metrics: ['accuracy'],
  defaults: { optimizer: 'adam', lr: 0.01, batchSize: 64, epochs: 4, scheduler: 'onecycle' },
});
