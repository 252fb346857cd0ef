import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConfig, encodeConfig, panelHash, parseHash } from '../../lab/src/app/url-state.js';

// The lab's links: a panel's configuration in the URL's fragment (the browser test checks the round trip in the page).
const defaults = { f: 'rosenbrock', x: -1.5, steps: 1000, adam: true, 'adam.lr': 0.1 };

test('only values that differ from the defaults are written, booleans as 1/0, lists unescaped', () => {
  assert.equal(encodeConfig(defaults, defaults), '');
  assert.equal(encodeConfig({ ...defaults, f: 'beale', adam: false, 'adam.lr': 0.1 + 0.2 }, defaults), 'f=beale&adam=0&adam.lr=0.3');
  assert.equal(encodeConfig({ ...defaults, f: 'a,b' }, defaults), 'f=a,b');
});

test('a configuration survives encode then decode, typed as its defaults', () => {
  const config = { f: 'himmelblau', x: 2.25, steps: 50, adam: false, 'adam.lr': 1e-7 };
  const decoded = decodeConfig(encodeConfig(config, defaults), defaults);
  assert.deepEqual(decoded, config);
  assert.equal(typeof decoded.steps, 'number');
  assert.equal(typeof decoded.adam, 'boolean');
});

test('unreadable or unknown parameters are ignored, keeping the defaults', () => {
  assert.deepEqual(decodeConfig('x=abc&steps=&adam=maybe&bogus=1', defaults), defaults);
  assert.deepEqual(decodeConfig('x=Infinity', defaults), defaults);
});

test('the fragment names the panel, then its query', () => {
  assert.deepEqual(parseHash('#/surfaces?f=beale&x=1'), { panel: 'surfaces', query: 'f=beale&x=1' });
  assert.deepEqual(parseHash('#/mnist'), { panel: 'mnist', query: '' });
  assert.deepEqual(parseHash(''), { panel: '', query: '' });
  assert.deepEqual(parseHash('#main'), { panel: '', query: '' }, 'an in-page anchor is no panel');
  assert.equal(panelHash('surfaces', { ...defaults, x: 1 }, defaults), '#/surfaces?x=1');
  assert.equal(panelHash('surfaces', defaults, defaults), '#/surfaces');
});
