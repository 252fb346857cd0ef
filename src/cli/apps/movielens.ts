// Recommendation: MovieLens latest-small (100,836 ratings of 9,724 movies by 610 users), split 80/20 at random
// (fixed seed). Matrix factorization with biases on sparse embeddings (SparseAdam updates only the rows a batch
// touches; an L2 penalty on those rows regularizes), and a neural collaborative filtering variant (an MLP on the
// user's and the movie's embeddings).
import { type Tensor, arange, cat, full, nn, noGrad, stack, tensor, topk, unique } from '../../index.js';
import { TensorDataset } from '../../data/index.js';
import { datasets } from '../../node/index.js';
import { type FitRecipe, type RecipeData, defineRecipe } from '../recipe.js';
import { datasetOptions, rows, seededSplit } from './common.js';

/** The lowest and highest ratings: held-out predictions are clamped to them. */
const RATING_RANGE = [0.5, 5] as const;

/** Movies with fewer training ratings than this are not recommended (one enthusiastic rating is not a signal). */
export const MIN_RATINGS = 20;

/**
 * Ratings as the sum of a global mean, a user bias, a movie bias and the dot product of a user's and a movie's
 * factors; `pairs` int32 [B, 2] holds (user, movie) positions. The embeddings have sparse gradients.
 */
export class MatrixFactorization extends nn.Module<[Tensor], Tensor> {
  userFactors: nn.Embedding;
  movieFactors: nn.Embedding;
  userBias: nn.Embedding;
  movieBias: nn.Embedding;
  mean: Tensor;

  constructor(users: number, movies: number, mean: number, factors = 32) {
    super();
    this.userFactors = new nn.Embedding(users, factors, { sparse: true });
    this.movieFactors = new nn.Embedding(movies, factors, { sparse: true });
    this.userBias = new nn.Embedding(users, 1, { sparse: true });
    this.movieBias = new nn.Embedding(movies, 1, { sparse: true });
    this.mean = this.registerBuffer('mean', tensor(mean));
    noGrad(() => {
      nn.init.normal_(this.userFactors.weight, 0, 0.01);
      nn.init.normal_(this.movieFactors.weight, 0, 0.01);
      nn.init.zeros_(this.userBias.weight);
      nn.init.zeros_(this.movieBias.weight);
    });
  }

  /** Predicted ratings [B] and the squared L2 norm of the rows they used, averaged over the batch. */
  scores(pairs: Tensor): { prediction: Tensor; penalty: Tensor } {
    const users = pairs.select(1, 0);
    const movies = pairs.select(1, 1);
    const p = this.userFactors(users);
    const q = this.movieFactors(movies);
    const bu = this.userBias(users).squeeze(1);
    const bm = this.movieBias(movies).squeeze(1);
    const prediction = p.mul(q).sum(1).add(bu).add(bm).add(this.mean);
    const penalty = p.pow(2).sum(1).add(q.pow(2).sum(1)).add(bu.pow(2)).add(bm.pow(2)).mean();
    return { prediction, penalty };
  }

  forward(pairs: Tensor): Tensor {
    return this.scores(pairs).prediction;
  }
}

/** Neural collaborative filtering: an MLP on the concatenated user and movie embeddings, plus the global mean. */
export class NeuralCF extends nn.Module<[Tensor], Tensor> {
  userEmbedding: nn.Embedding;
  movieEmbedding: nn.Embedding;
  mlp: nn.Sequential;
  mean: Tensor;

  constructor(users: number, movies: number, mean: number, dim = 32, hidden = 64, dropout = 0.2) {
    super();
    this.userEmbedding = new nn.Embedding(users, dim);
    this.movieEmbedding = new nn.Embedding(movies, dim);
    this.mlp = new nn.Sequential(new nn.Dropout(dropout), new nn.Linear(2 * dim, hidden), new nn.ReLU(), new nn.Dropout(dropout), new nn.Linear(hidden, 1));
    this.mean = this.registerBuffer('mean', tensor(mean));
  }

  forward(pairs: Tensor): Tensor {
    const features = cat([this.userEmbedding(pairs.select(1, 0)), this.movieEmbedding(pairs.select(1, 1))], 1);
    return this.mlp(features).squeeze(1).add(this.mean);
  }
}

interface RatingsData extends RecipeData {
  users: number;
  movies: number;
  /** The mean training rating. */
  mean: number;
  /** MovieLens userId and movieId of each position. */
  userIds: Int32Array;
  movieIds: Int32Array;
  titles: Map<number, string>;
  /** The movies each user rated in the training split (positions), left out of recommendations. */
  rated: Map<number, Set<number>>;
  /** How many training ratings each movie has. */
  ratingCounts: Int32Array;
}

async function ratingsData(source: Parameters<typeof datasetOptions>[0]): Promise<RatingsData> {
  const { ratings, movies } = await datasets.movieLens(datasetOptions(source));
  const users = unique(tensor(ratings.userId), { returnInverse: true });
  const items = unique(tensor(ratings.movieId), { returnInverse: true });
  const pairs = stack([users.inverse, items.inverse], 1);
  const values = tensor(ratings.rating);
  const split = seededSplit(values.shape[0], 0.8);
  const train = new TensorDataset(rows(pairs, split.train), rows(values, split.train));
  const rated = new Map<number, Set<number>>();
  const ratingCounts = new Int32Array(items.values.numel);
  const [u, m] = [users.inverse.dataSync(), items.inverse.dataSync()];
  for (const i of split.train) {
    if (!rated.has(u[i])) rated.set(u[i], new Set());
    rated.get(u[i])!.add(m[i]);
    ratingCounts[m[i]]++;
  }
  return {
    train,
    test: new TensorDataset(rows(pairs, split.test), rows(values, split.test)),
    users: users.values.numel,
    movies: items.values.numel,
    mean: train.tensors[1].mean().item(),
    userIds: Int32Array.from(users.values.dataSync()),
    movieIds: Int32Array.from(items.values.dataSync()),
    titles: new Map(movies.map((mv) => [mv.movieId, mv.title])),
    rated,
    ratingCounts,
  };
}

/**
 * The `k` movies with the highest predicted rating for MovieLens user `userId` among those the user did not
 * rate in the training split and that have at least MIN_RATINGS training ratings.
 */
export function recommend(model: nn.Module, data: RatingsData, userId: number, k = 10): { movieId: number; title: string; predicted: number }[] {
  const user = data.userIds.indexOf(userId);
  if (user < 0) throw new Error(`recommend: no user ${userId} in MovieLens (userIds ${data.userIds[0]} to ${data.userIds[data.userIds.length - 1]})`);
  const wasTraining = model.training;
  model.eval();
  const predicted: Tensor = noGrad(() => model(stack([full([data.movies], user, { dtype: 'int32' }), arange(0, data.movies, 1, { dtype: 'int32' })], 1)));
  model.train(wasTraining);
  const seen = data.rated.get(user) ?? new Set<number>();
  const excluded = Array.from({ length: data.movies }, (_, m) => seen.has(m) || data.ratingCounts[m] < MIN_RATINGS);
  const best = topk(predicted.maskedFill(tensor(excluded), -Infinity), k);
  const values = best.values.dataSync();
  return Array.from(best.indices.dataSync(), (m, i) => ({ movieId: data.movieIds[m], title: data.titles.get(data.movieIds[m]) ?? '?', predicted: values[i] }));
}

/** Held-out predictions are clamped to the rating scale; training fits the raw scores. */
const onScale = (model: nn.Module, prediction: Tensor) => (model.training ? prediction : prediction.clamp(...RATING_RANGE));

/** The weight of the L2 penalty on the factor and bias rows a batch uses. */
export const MF_L2 = 0.2;

/** A recommender of MovieLens ratings: what the two recipes share (data, loss, metric, notes, sampling). */
const ratingsRecipe = (recipe: Pick<FitRecipe<RatingsData>, 'name' | 'description' | 'model' | 'forward' | 'defaults'>) => defineRecipe<RatingsData>({
  ...recipe,
  bar: 'test RMSE <= 0.90',
  data: ratingsData,
  loss: nn.functional.mseLoss,
  metrics: ['rmse'],
  extras: (model, data) => ({
    notes: () => [`top 10 for user 1: ${recommend(model, data, 1).map((r) => `${r.title} (${r.predicted.toFixed(2)})`).join('; ')}`],
  }),
  sample: (model, data, { user }) => ({
    text: recommend(model, data, user).map((r, i) => `${String(i + 1).padStart(2)}. ${r.predicted.toFixed(2)}  ${r.title}`).join('\n'),
  }),
});

export const movielensMfRecipe = ratingsRecipe({
  name: 'movielens-mf',
  description: 'matrix factorization with biases (32 factors, sparse embeddings, SparseAdam, L2 on the rows used) on MovieLens latest-small, 80%/20%',
  model: (data) => new MatrixFactorization(data.users, data.movies, data.mean),
  forward(model, [pairs, ratings]) {
    const { prediction, penalty } = (model as MatrixFactorization).scores(pairs);
    return { output: onScale(model, prediction), target: ratings, penalty: penalty.mul(MF_L2) };
  },
  defaults: { optimizer: 'sparse-adam', lr: 0.01, batchSize: 256, epochs: 8 },
});

export const movielensNcfRecipe = ratingsRecipe({
  name: 'movielens-ncf',
  description: 'neural collaborative filtering (32-d user and movie embeddings, MLP 64-64-1 with dropout, AdamW) on MovieLens latest-small, 80%/20%',
  model: (data) => new NeuralCF(data.users, data.movies, data.mean),
  forward: (model, [pairs, ratings]) => ({ output: onScale(model, model(pairs)), target: ratings }),
  defaults: { optimizer: 'adamw', lr: 3e-3, batchSize: 256, epochs: 10, weightDecay: 0.1 },
});
