// Reference forward values for tests/ConvLayers.Tests.ps1 (DepthwiseConv2D, SeparableConv1D/2D, Conv1DTranspose,
// Conv2DTranspose), computed by TensorFlow.js 4.22.0's layers (the Keras API in JavaScript) with weights set explicitly.
//
// Run from a folder where `npm install @tensorflow/tfjs@4.22.0` was done (pure-JS CPU backend, offline):
//   node <repo>/tests/data/conv/make-references.mjs
// It writes references.json next to this script: for every case the KerasPS command that builds the same layer, the
// layer's weights in Keras's layout and names, the input batch and the output TF.js computed. TF.js has no
// SeparableConv1D or Conv1DTranspose: those are the 2-D layers on a height-1 input with a (1, k) kernel, whose weights
// hold the same values in the same order (Keras's 1-D kernels lack only the leading 1). TF.js's Conv2DTranspose layer
// has no output_padding: that case calls tf.conv2dTranspose with the output shape Keras's formula gives, as Keras's
// TensorFlow backend does (keras/src/backend/tensorflow/nn.py conv_transpose).
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
// layer: a TF.js layer; kerasShapes: the weights' shapes in the KerasPS layer (null: as TF.js has them).
function run(name, command, layer, inShape, kerasShapes = null, reshapeOut = null) {
  const x = input(inShape);
  layer.apply(tf.input({ shape: inShape.slice(1) }));
  const names = layer.weights.map(w => w.name.split('/').pop().replace(/_\d+$/, ''));
  const vals = layer.weights.map(w => values(w.shape.reduce((a, b) => a * b, 1)));
  layer.setWeights(layer.weights.map((w, i) => tf.tensor(vals[i], w.shape)));
  let y = layer.apply(x);
  if (reshapeOut) y = y.reshape(reshapeOut(y.shape));
  cases.push({
    name, command, inputShape: reshapeOut ? reshapeOut(inShape) : inShape, input: Array.from(x.dataSync()),
    weights: names.map((n, i) => ({ name: n, shape: kerasShapes ? kerasShapes[i] : layer.weights[i].shape, values: vals[i] })),
    outputShape: y.shape, output: Array.from(y.dataSync()),
  });
  console.log(name, y.shape);
}
const drop1 = s => [s[0], s[2], s[3]];

run('DepthwiseConv2D same, strided, depth_multiplier 2',
  'Add-DepthwiseConv2DLayer 3 -DepthMultiplier 2 -Strides 2 -Padding same',
  tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }), [2, 5, 5, 3]);
// (TF.js's DepthwiseConv2D layer leaves dilation_rate out of its output shape, so no dilated depthwise case here;
// the SeparableConv2D case below runs a dilated depthwise step.)
run('DepthwiseConv2D valid, depth_multiplier 3, relu',
  'Add-DepthwiseConv2DLayer 2,3 relu -DepthMultiplier 3',
  tf.layers.depthwiseConv2d({ kernelSize: [2, 3], depthMultiplier: 3, activation: 'relu' }), [2, 6, 7, 2]);
run('SeparableConv2D same, dilated, depth_multiplier 2, relu',
  'Add-SeparableConv2DLayer 4 3 relu -DepthMultiplier 2 -Padding same -DilationRate 2',
  tf.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same', dilationRate: 2, activation: 'relu' }),
  [2, 6, 6, 2]);
run('SeparableConv1D valid, strided, tanh',
  'Add-SeparableConv1DLayer 3 3 tanh -Strides 2',
  tf.layers.separableConv2d({ filters: 3, kernelSize: [1, 3], strides: [1, 2], activation: 'tanh' }), [2, 1, 7, 2],
  [[3, 2, 1], [1, 2, 3], [3]], drop1);
run('Conv2DTranspose same, strided',
  'Add-Conv2DTransposeLayer 3 3 -Strides 2 -Padding same',
  tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }), [2, 3, 4, 2]);
run('Conv2DTranspose valid, kernel smaller than stride',
  'Add-Conv2DTransposeLayer 2 2,3 -Strides 3,2 -Activation sigmoid',
  tf.layers.conv2dTranspose({ filters: 2, kernelSize: [2, 3], strides: [3, 2], activation: 'sigmoid' }), [2, 2, 3, 2]);
run('Conv1DTranspose same, strided',
  'Add-Conv1DTransposeLayer 2 4 -Strides 2 -Padding same',
  tf.layers.conv2dTranspose({ filters: 2, kernelSize: [1, 4], strides: [1, 2], padding: 'same' }), [2, 1, 5, 3],
  [[4, 2, 3], [2]], drop1);

// Conv2DTranspose(2, 3, strides=2, padding='same', output_padding=1) on (3, 3, 1): Keras's length
// (3 - 1) * 2 + 3 - 2 * (3 // 2) + 1 = 6 on each axis, then TensorFlow's conv_transpose with that output shape.
{
  const x = input([2, 3, 3, 1]);
  const k = values(3 * 3 * 2 * 1), b = values(2);
  const y = tf.conv2dTranspose(x, tf.tensor(k, [3, 3, 2, 1]), [2, 6, 6, 2], 2, 'same').add(tf.tensor(b, [2]));
  cases.push({
    name: 'Conv2DTranspose same, output_padding 1', command: 'Add-Conv2DTransposeLayer 2 3 -Strides 2 -Padding same -OutputPadding 1',
    inputShape: [2, 3, 3, 1], input: Array.from(x.dataSync()),
    weights: [{ name: 'kernel', shape: [3, 3, 2, 1], values: k }, { name: 'bias', shape: [2], values: b }],
    outputShape: y.shape, output: Array.from(y.dataSync()),
  });
  console.log('output_padding', y.shape);
}

writeFileSync(join(here, 'references.json'), JSON.stringify({ tfjs: tf.version.tfjs, cases }, null, 1) + '\n');
