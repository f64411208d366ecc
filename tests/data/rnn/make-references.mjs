// Reference forward values for tests/Add-BidirectionalLayer.Tests.ps1 (Bidirectional around SimpleRNN, LSTM and GRU, every
// merge mode, with and without return_sequences), computed by TensorFlow.js 4.22.0's layers with weights set explicitly.
//
// Run from a folder where `npm install @tensorflow/tfjs@4.22.0` was done (pure-JS CPU backend, offline):
//   node <repo>/tests/data/rnn/make-references.mjs
// It writes references.json next to this script: for every case the KerasPS command that builds the same layer, the
// wrapper's weights in Keras's order (forward kernel, recurrent_kernel, bias, then the backward layer's), the input batch
// and the output TF.js computed. TF.js's GRU is Keras's reset_after=False; its hardSigmoid is Keras 2's 0.2x + 0.5
// (KerasPS's hard_sigmoid_keras2).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.cwd(), 'noop.js'));
const tf = require('@tensorflow/tfjs');
await tf.setBackend('cpu');
const here = dirname(fileURLToPath(import.meta.url));

// Weight element k (row-major) = 0.5 * sin(0.37 k + seed), a new seed per weight.
let weightSeed = 0;
function values(n) {
  weightSeed += 1;
  return Array.from({ length: n }, (_, k) => 0.5 * Math.sin(0.37 * k + weightSeed));
}
// Input element k (row-major over the whole batch) = 1.5 * sin(0.7 k + 0.3).
function input(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, (_, k) => 1.5 * Math.sin(0.7 * k + 0.3)), shape);
}

const cases = [];
function run(name, command, layer, inShape) {
  const x = input(inShape);
  layer.apply(tf.input({ shape: inShape.slice(1) }));
  const vals = layer.weights.map(w => values(w.shape.reduce((a, b) => a * b, 1)));
  layer.setWeights(layer.weights.map((w, i) => tf.tensor(vals[i], w.shape)));
  const y = layer.apply(x);
  cases.push({
    name, command, inputShape: inShape, input: Array.from(x.dataSync()),
    weights: layer.weights.map((w, i) => ({ name: w.name, shape: w.shape, values: vals[i] })),
    outputShape: y.shape, output: Array.from(y.dataSync()),
  });
  console.log(name, y.shape);
}

run('LSTM, return_sequences, concat',
  'Add-BidirectionalLayer (New-Model | Add-LSTMLayer 3 -ReturnSequences) -MergeMode concat',
  tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }),
    mergeMode: 'concat' }), [2, 4, 2]);
run('GRU (reset_after False, Keras 2 hard_sigmoid), sum',
  'Add-BidirectionalLayer (New-Model | Add-GRULayer 2 -ResetAfter:$false -RecurrentActivation hard_sigmoid_keras2) -MergeMode sum',
  tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, recurrentActivation: 'hardSigmoid' }), mergeMode: 'sum' }),
  [2, 5, 3]);
run('SimpleRNN, return_sequences, mul',
  'Add-BidirectionalLayer (New-Model | Add-SimpleRNNLayer 3 -ReturnSequences) -MergeMode mul',
  tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3, returnSequences: true }), mergeMode: 'mul' }), [2, 3, 2]);
run('LSTM, last output, ave',
  'Add-BidirectionalLayer (New-Model | Add-LSTMLayer 2) -MergeMode ave',
  tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }), mergeMode: 'ave' }),
  [3, 4, 2]);

writeFileSync(join(here, 'references.json'), JSON.stringify({ tfjs: tf.version.tfjs, cases }, null, 1) + '\n');
