// Reference forward values for tests/Add-BidirectionalLayer.Tests.ps1 (and, at the end, masked sequences for
// tests/Add-MaskingLayer.Tests.ps1) (Bidirectional around SimpleRNN, LSTM and GRU, every
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

// ---- Masked sequences (tests/Add-MaskingLayer.Tests.ps1): masked-references.json.
// Sequences of different lengths (right-padded, left-padded, full) through Masking -> Bidirectional(LSTM) and through
// Embedding(mask_zero) -> GRU, run as TF.js models so the mask travels as Keras's does (layer.apply on a tensor has no
// mask). Weight element k = 0.5 * sin(0.37 k + seed) as above, in the model's weight order. TF.js's recurrent layers
// output the previous output at a masked step; Keras's Bidirectional forces zero_output_for_mask = return_sequences on
// both directions (keras/src/layers/rnn/bidirectional.py), so for a Bidirectional that returns sequences this script
// sets the masked timesteps of the output to 0, Keras's rule, and says so in the case ("zeroedMaskedSteps").
const maskedCases = [];
function runModel(name, command, layers, inShape, inputValues, stepMask, zeroMaskedSteps) {
  const model = tf.sequential({ layers });
  const vals = model.weights.map(w => values(w.shape.reduce((a, b) => a * b, 1)));
  model.setWeights(model.weights.map((w, i) => tf.tensor(vals[i], w.shape)));
  const x = tf.tensor(inputValues, inShape);
  const y = model.predict(x);
  let output = Array.from(y.dataSync());
  if (zeroMaskedSteps) {
    const [batch, steps, units] = y.shape;
    output = output.map((v, k) => stepMask[Math.floor(k / (steps * units)) * steps + Math.floor(k / units) % steps] ? v : 0);
  }
  maskedCases.push({
    name, command, inputShape: inShape, input: inputValues, mask: stepMask, zeroedMaskedSteps: zeroMaskedSteps,
    weights: model.weights.map((w, i) => ({ name: w.name, shape: w.shape, values: vals[i] })),
    outputShape: y.shape, output,
  });
  console.log(name, y.shape);
}

// Three sequences of 5 steps x 2 features: full length, 3 steps then padding, 3 steps of padding then 2 steps.
const lengths = [[0, 5], [0, 3], [3, 5]];
const steps = 5, features = 2;
const stepMask = [];
const seqInput = [];
lengths.forEach(([from, to], b) => {
  for (let t = 0; t < steps; t++) {
    stepMask.push(t >= from && t < to ? 1 : 0);
    for (let f = 0; f < features; f++) {
      const k = (b * steps + t) * features + f;
      seqInput.push(t >= from && t < to ? 1.5 * Math.sin(0.7 * k + 0.3) : 0);
    }
  }
});
weightSeed = 10;
runModel('Masking, Bidirectional(LSTM), return_sequences, concat',
  'Add-MaskingLayer -MaskValue 0 | Add-BidirectionalLayer (New-Model | Add-LSTMLayer 3 -ReturnSequences) -MergeMode concat',
  [tf.layers.masking({ maskValue: 0, inputShape: [steps, features] }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }),
      mergeMode: 'concat' })],
  [3, steps, features], seqInput, stepMask, true);
weightSeed = 20;
runModel('Masking, Bidirectional(LSTM), last output, concat',
  'Add-MaskingLayer -MaskValue 0 | Add-BidirectionalLayer (New-Model | Add-LSTMLayer 3) -MergeMode concat',
  [tf.layers.masking({ maskValue: 0, inputShape: [steps, features] }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }), mergeMode: 'concat' })],
  [3, steps, features], seqInput, stepMask, false);

// Token ids, 0 = padding: 6 steps, lengths 6, 2 (right-padded) and 2 (left- and right-padded).
const ids = [3, 1, 4, 1, 5, 2, 2, 6, 0, 0, 0, 0, 0, 0, 5, 3, 0, 0];
const idMask = ids.map(v => (v !== 0 ? 1 : 0));
weightSeed = 30;
runModel('Embedding(mask_zero), GRU (reset_after False), last output',
  'Add-EmbeddingLayer 7 3 -MaskZero | Add-GRULayer 4 -ResetAfter:$false',
  [tf.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputLength: 6 }),
    tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid' })],
  [3, 6], ids, idMask, false);
weightSeed = 40;
runModel('Embedding(mask_zero), GRU (reset_after False), return_sequences',
  'Add-EmbeddingLayer 7 3 -MaskZero | Add-GRULayer 4 -ResetAfter:$false -ReturnSequences',
  [tf.layers.embedding({ inputDim: 7, outputDim: 3, maskZero: true, inputLength: 6 }),
    tf.layers.gru({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true })],
  [3, 6], ids, idMask, false);

writeFileSync(join(here, 'masked-references.json'), JSON.stringify({ tfjs: tf.version.tfjs, cases: maskedCases }, null, 1) + '\n');
