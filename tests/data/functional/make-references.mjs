// Reference forward values for tests/Functional.Tests.ps1, computed by TensorFlow.js's functional API
// (tf.model({inputs, outputs}), the same graph code path as Keras's Functional) with weights set explicitly.
//
// Run from a folder where `npm install @tensorflow/tfjs@4.22.0` was done (pure-JS CPU backend, offline):
//   node <repo>/tests/data/functional/make-references.mjs
// It writes <name>.json next to this script: for every case the layers' weights (Keras layout: a Dense kernel is
// [inputs, units]), the input batches and the outputs TF.js computed. The PowerShell side sets the same weights with
// Set-ModelWeight and compares its forward values within 1e-5.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.cwd(), 'noop.js'));
const tf = require('@tensorflow/tfjs');
await tf.setBackend('cpu');
const here = dirname(fileURLToPath(import.meta.url));

// Weight k (0-based, row-major) of a weight: 0.5 * sin(0.37 k + seed) with a seed per weight, so no two weights agree.
let weightSeed = 0;
function setWeights(layer) {
  const names = layer.weights.map(w => w.name.split('/').pop().replace(/_\d+$/, ''));
  const values = layer.weights.map(w => {
    weightSeed += 1;
    const n = w.shape.reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, k) => 0.5 * Math.sin(0.37 * k + weightSeed));
  });
  layer.setWeights(layer.weights.map((w, i) => tf.tensor(values[i], w.shape)));
  return layer.weights.map((w, i) => ({ layer: layer.name, name: names[i], shape: w.shape, values: values[i] }));
}

// An input batch: element (r, c) = sin(1.1 r + 0.7 c + offset) * 1.5, rows of several signs and sizes.
function batch(rows, cols, offset) {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => 1.5 * Math.sin(1.1 * r + 0.7 * c + offset)));
}

function write(name, description, model, weightLayers, inputs) {
  const weights = weightLayers.flatMap(setWeights);
  let outputs = model.predict(inputs.map(x => tf.tensor(x)));
  if (!Array.isArray(outputs)) outputs = [outputs];
  const data = {
    description, tfjs: tf.version.tfjs, weights, inputs,
    outputs: outputs.map(t => t.arraySync()),
  };
  writeFileSync(join(here, `${name}.json`), JSON.stringify(data, null, 1) + '\n');
  console.log(name, outputs.map(t => t.shape));
}

// 1. A residual block: x + Dense(relu)(x), then a Dense head.
{
  const x = tf.input({ shape: [4], name: 'features' });
  const h = tf.layers.dense({ units: 4, activation: 'relu', name: 'hidden' });
  const head = tf.layers.dense({ units: 3, name: 'head' });
  const out = head.apply(tf.layers.add({ name: 'skip' }).apply([x, h.apply(x)]));
  const m = tf.model({ inputs: x, outputs: out, name: 'residual' });
  write('residual', 'features(4) -> hidden Dense(4, relu); skip = Add(features, hidden); head Dense(3) linear', m,
    [h, head], [batch(5, 4, 0)]);
}

// 2. Two branches from one input, concatenated.
{
  const x = tf.input({ shape: [4], name: 'features' });
  const a = tf.layers.dense({ units: 3, activation: 'tanh', name: 'wide' });
  const b = tf.layers.dense({ units: 2, activation: 'sigmoid', name: 'deep' });
  const head = tf.layers.dense({ units: 2, activation: 'softmax', name: 'head' });
  const out = head.apply(tf.layers.concatenate({ name: 'concat' }).apply([a.apply(x), b.apply(x)]));
  const m = tf.model({ inputs: x, outputs: out, name: 'branches' });
  write('branches', 'features(4) -> wide Dense(3, tanh) and deep Dense(2, sigmoid); Concatenate; head Dense(2, softmax)', m,
    [a, b, head], [batch(5, 4, 0.3)]);
}

// 3. One Dense layer applied to two branches (shared weights), the two uses subtracted.
{
  const x = tf.input({ shape: [4], name: 'features' });
  const a = tf.layers.dense({ units: 3, activation: 'relu', name: 'left' });
  const b = tf.layers.dense({ units: 3, name: 'right' });
  const shared = tf.layers.dense({ units: 2, activation: 'tanh', name: 'shared' });
  const head = tf.layers.dense({ units: 1, name: 'head' });
  const out = head.apply(tf.layers.concatenate({ name: 'concat' }).apply([shared.apply(a.apply(x)), shared.apply(b.apply(x))]));
  const m = tf.model({ inputs: x, outputs: out, name: 'shared_model' });
  write('shared', 'features(4) -> left Dense(3, relu), right Dense(3); shared Dense(2, tanh) on both; Concatenate; head Dense(1)', m,
    [a, b, shared, head], [batch(5, 4, 0.6)]);
}

// 4. Nested models: a Sequential trunk and a functional residual block used as layers.
{
  const trunk = tf.sequential({ name: 'trunk' });
  trunk.add(tf.layers.dense({ units: 5, activation: 'relu', inputShape: [4], name: 'trunk_dense' }));
  trunk.add(tf.layers.dense({ units: 3, name: 'trunk_out' }));
  const bx = tf.input({ shape: [3], name: 'block_in' });
  const bd = tf.layers.dense({ units: 3, activation: 'tanh', name: 'block_dense' });
  const block = tf.model({ inputs: bx, outputs: tf.layers.add({ name: 'block_add' }).apply([bx, bd.apply(bx)]), name: 'block' });
  const x = tf.input({ shape: [4], name: 'features' });
  const head = tf.layers.dense({ units: 2, activation: 'softmax', name: 'head' });
  const out = head.apply(block.apply(trunk.apply(x)));
  const m = tf.model({ inputs: x, outputs: out, name: 'nested' });
  write('nested', 'features(4) -> trunk Sequential(Dense(5, relu), Dense(3)) -> block functional(x + Dense(3, tanh)(x)) -> head Dense(2, softmax)',
    m, [trunk.layers[0], trunk.layers[1], bd, head], [batch(5, 4, 0.9)]);
}

// 5. Two inputs, concatenated.
{
  const a = tf.input({ shape: [3], name: 'numbers' });
  const b = tf.input({ shape: [2], name: 'extra' });
  const da = tf.layers.dense({ units: 4, activation: 'relu', name: 'numbers_dense' });
  const db = tf.layers.dense({ units: 2, activation: 'tanh', name: 'extra_dense' });
  const head = tf.layers.dense({ units: 2, name: 'head' });
  const out = head.apply(tf.layers.concatenate({ name: 'concat' }).apply([da.apply(a), db.apply(b)]));
  const m = tf.model({ inputs: [a, b], outputs: out, name: 'two_inputs' });
  write('two_inputs', 'numbers(3) -> Dense(4, relu); extra(2) -> Dense(2, tanh); Concatenate; head Dense(2)', m,
    [da, db, head], [batch(5, 3, 1.2), batch(5, 2, 1.5)]);
}

// 6. Two outputs from one trunk.
{
  const x = tf.input({ shape: [4], name: 'features' });
  const t = tf.layers.dense({ units: 5, activation: 'relu', name: 'trunk' });
  const cls = tf.layers.dense({ units: 3, activation: 'softmax', name: 'class' });
  const price = tf.layers.dense({ units: 1, name: 'price' });
  const h = t.apply(x);
  const m = tf.model({ inputs: x, outputs: [cls.apply(h), price.apply(h)], name: 'two_outputs' });
  write('two_outputs', 'features(4) -> trunk Dense(5, relu) -> class Dense(3, softmax) and price Dense(1)', m,
    [t, cls, price], [batch(5, 4, 1.8)]);
}
