// Recommendation: MovieLens latest-small (100,836 ratings of 9,724 movies by 610 users), 80% of the ratings to
// train on. Matrix factorization with biases on sparse embeddings (SparseAdam moves only the rows a batch used; an
// L2 penalty on those rows regularizes), or with `ncf` a neural collaborative filtering model (an MLP on the user's
// and the movie's embeddings). Both reach a test RMSE of about 0.87; then the top 10 movies for user 1.
// Run: npm run build && node examples/movielens.ts [ncf]      (MAX_STEPS=20 for a quick try; DESCENT_DATA=folder of data sets)
import * as dt from 'descent';
import { datasets } from 'descent/node';

const { nn } = dt;
const source = process.env.DESCENT_DATA ? { root: process.env.DESCENT_DATA } : { download: true };
const maxSteps = Number(process.env.MAX_STEPS) || undefined;
const neural = process.argv[2] === 'ncf';
const { ratings, movies } = await datasets.movieLens(source);

// users and movies numbered 0..n-1; (user, movie) pairs and their ratings, split 80/20 at random (fixed seed)
const users = dt.unique(dt.tensor(ratings.userId), { returnInverse: true });
const items = dt.unique(dt.tensor(ratings.movieId), { returnInverse: true });
const pairs = dt.stack([users.inverse, items.inverse], 1);
const stars = dt.tensor(ratings.rating);
const order = dt.randperm(stars.shape[0], { generator: new dt.Generator(0) });
const cut = Math.floor(0.8 * stars.shape[0]);
const [trainRows, testRows] = [order.narrow(0, 0, cut), order.narrow(0, cut, stars.shape[0] - cut)];
const train = new dt.data.TensorDataset(pairs.indexSelect(0, trainRows), stars.indexSelect(0, trainRows));
const test = new dt.data.TensorDataset(pairs.indexSelect(0, testRows), stars.indexSelect(0, testRows));
const [nUsers, nMovies, mean] = [users.values.numel, items.values.numel, train.tensors[1].mean().item()];

// rating = mean + user bias + movie bias + user factors . movie factors
class MatrixFactorization extends nn.Module<[dt.Tensor], dt.Tensor> {
  userFactors = new nn.Embedding(nUsers, 32, { sparse: true });
  movieFactors = new nn.Embedding(nMovies, 32, { sparse: true });
  userBias = new nn.Embedding(nUsers, 1, { sparse: true });
  movieBias = new nn.Embedding(nMovies, 1, { sparse: true });

  constructor() {
    super();
    dt.noGrad(() => {
      nn.init.normal_(this.userFactors.weight, 0, 0.01);
      nn.init.normal_(this.movieFactors.weight, 0, 0.01);
      nn.init.zeros_(this.userBias.weight);
      nn.init.zeros_(this.movieBias.weight);
    });
  }

  // predictions and the squared norm of the rows they used (the L2 penalty, a batch mean)
  scores(pairs: dt.Tensor): { prediction: dt.Tensor; penalty: dt.Tensor } {
    const [u, m] = [pairs.select(1, 0), pairs.select(1, 1)];
    const [p, q, bu, bm] = [this.userFactors(u), this.movieFactors(m), this.userBias(u).squeeze(1), this.movieBias(m).squeeze(1)];
    const penalty = p.pow(2).sum(1).add(q.pow(2).sum(1)).add(bu.pow(2)).add(bm.pow(2)).mean();
    return { prediction: p.mul(q).sum(1).add(bu).add(bm).add(mean), penalty };
  }

  forward(pairs: dt.Tensor): dt.Tensor {
    return this.scores(pairs).prediction;
  }
}

// rating = mean + MLP(user embedding, movie embedding)
class NeuralCF extends nn.Module<[dt.Tensor], dt.Tensor> {
  userEmbedding = new nn.Embedding(nUsers, 32);
  movieEmbedding = new nn.Embedding(nMovies, 32);
  mlp = new nn.Sequential(new nn.Dropout(0.2), new nn.Linear(64, 64), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(64, 1));

  forward(pairs: dt.Tensor): dt.Tensor {
    return this.mlp(dt.cat([this.userEmbedding(pairs.select(1, 0)), this.movieEmbedding(pairs.select(1, 1))], 1)).squeeze(1).add(mean);
  }
}

dt.manualSeed(0);
const model = neural ? new NeuralCF() : new MatrixFactorization();
type Batch = dt.Tensor[];
// held-out predictions are clamped to the rating scale, 0.5 to 5 stars
const predict = (_model: dt.nn.Module, [x, y]: Batch) => ({ output: model.training ? model(x) : model(x).clamp(0.5, 5), target: y });
// matrix factorization adds the L2 penalty to the loss that training minimizes (only the rows used get a gradient)
const withPenalty = (mf: MatrixFactorization) => (_model: dt.nn.Module, [x, y]: Batch) => {
  const { prediction, penalty } = mf.scores(x);
  return { output: mf.training ? prediction : prediction.clamp(0.5, 5), target: y, penalty: penalty.mul(0.2) };
};
const trainLoader = new dt.data.DataLoader(train, { batchSize: 256, shuffle: true, generator: new dt.Generator(0) });
const testLoader = new dt.data.DataLoader(test, { batchSize: 500 });
await dt.train.fit(model, {
  data: trainLoader, valData: testLoader, loss: nn.functional.mseLoss, metrics: ['rmse'], maxSteps,
  epochs: neural ? 10 : 8,
  optimizer: model instanceof MatrixFactorization ? new dt.optim.SparseAdam(model.parameters(), { lr: 0.01 }) : new dt.optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.1 }),
  forward: model instanceof MatrixFactorization ? withPenalty(model) : predict,
  callbacks: [{ onEpochEnd: (_trainer, epoch, logs) => console.log(`epoch ${epoch}: test RMSE ${logs.val_rmse.toFixed(4)}`) }],
});
const { rmse } = dt.train.evaluate(model, testLoader, { metrics: ['rmse'], forward: predict });
console.log(`${neural ? 'neural CF' : 'matrix factorization'}: test RMSE ${rmse.toFixed(4)}`);

// top 10 for user 1 (position 0): movies with 20+ training ratings that the user has not rated, by predicted rating
model.eval();
const user = 0;
const all = dt.stack([dt.full([nMovies], user, { dtype: 'int32' }), dt.arange(0, nMovies, 1, { dtype: 'int32' })], 1);
const predicted: dt.Tensor = dt.noGrad(() => model(all));
const trainPairs = Array.from(train.tensors[0].dataSync());
const count = new Int32Array(nMovies);
const seen = new Set<number>();
for (let i = 0; i < trainPairs.length; i += 2) {
  count[trainPairs[i + 1]]++;
  if (trainPairs[i] === user) seen.add(trainPairs[i + 1]);
}
const excluded = dt.tensor(Array.from(count, (c, m) => c < 20 || seen.has(m)));
const best = dt.topk(predicted.maskedFill(excluded, -Infinity), 10);
const title = new Map(movies.map((m) => [m.movieId, m.title]));
const movieIds = items.values.dataSync();
const scores = best.values.dataSync();
best.indices.dataSync().forEach((m, i) => console.log(`${String(i + 1).padStart(2)}. ${scores[i].toFixed(2)}  ${title.get(movieIds[m])}`));
