"""Two small files in Keras 1.2.2's HDF5 layout, for layouts no real Keras 1 file in dl4j-test-resources has: a GRU
(Keras 1's nine per-gate arrays W_z, U_z, b_z, W_r, U_r, b_r, W_h, U_h, b_h) and a Convolution2D and MaxPooling2D with
dim_ordering 'th' (kernel (filters, input, rows, cols), channels-first tensors). Written by this script with h5py, not by
Keras: the model_config, keras_version, layer_names and weight_names attributes and dataset names as Keras 1.2.2's
save_model wrote them (see the real files beside it), weights from numpy.random.default_rng(7).
Usage (in this folder, Debian's python3): python3 make-synthetic.py; then make-references.py as tests/data/README.md says.
"""
import json

import h5py
import numpy as np

rng = np.random.default_rng(7)


def r(*shape):
    return rng.uniform(-0.5, 0.5, shape).astype(np.float32)


def write(path, layers, weights):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"1.2.2"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": layers}).encode()
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = [l["config"]["name"].encode() for l in layers]
        for l in layers:
            name = l["config"]["name"]
            g = mw.create_group(name)
            names = [f"{name}_{w}" for w, _ in weights.get(name, [])]
            g.attrs["weight_names"] = [n.encode() for n in names]
            for n, (_, v) in zip(names, weights.get(name, [])):
                g.create_dataset(n, data=v)


gru = {"name": "gru_1", "trainable": True, "batch_input_shape": [None, 5, 3], "input_dtype": "float32",
       "return_sequences": False, "go_backwards": False, "stateful": False, "unroll": False, "consume_less": "gpu",
       "input_dim": 3, "input_length": None, "output_dim": 4, "init": "glorot_uniform", "inner_init": "orthogonal",
       "activation": "tanh", "inner_activation": "hard_sigmoid", "W_regularizer": None, "U_regularizer": None,
       "b_regularizer": None, "dropout_W": 0.0, "dropout_U": 0.0}
dense = {"name": "dense_1", "trainable": True, "output_dim": 2, "init": "glorot_uniform", "activation": "linear",
         "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None, "W_constraint": None,
         "b_constraint": None, "bias": True, "input_dim": 4}
write("synthetic_gru_1.h5", [{"class_name": "GRU", "config": gru}, {"class_name": "Dense", "config": dense}],
      {"gru_1": [(f"{w}_{g}", r(*(3, 4) if w == "W" else (4, 4) if w == "U" else (4,))) for g in "zrh" for w in "WUb"],
       "dense_1": [("W", r(4, 2)), ("b", r(2))]})

conv = {"name": "convolution2d_1", "trainable": True, "batch_input_shape": [None, 2, 6, 5], "input_dtype": "float32",
        "nb_filter": 3, "nb_row": 3, "nb_col": 2, "init": "glorot_uniform", "activation": "relu", "border_mode": "valid",
        "subsample": [1, 1], "dim_ordering": "th", "W_regularizer": None, "b_regularizer": None,
        "activity_regularizer": None, "W_constraint": None, "b_constraint": None, "bias": True}
pool = {"name": "maxpooling2d_1", "trainable": True, "pool_size": [2, 2], "strides": [2, 2], "border_mode": "valid",
        "dim_ordering": "th"}
flat = {"name": "flatten_1", "trainable": True}
dense2 = dict(dense, name="dense_2", input_dim=12)
write("synthetic_conv2d_th_1.h5", [{"class_name": "Convolution2D", "config": conv},
                                   {"class_name": "MaxPooling2D", "config": pool},
                                   {"class_name": "Flatten", "config": flat}, {"class_name": "Dense", "config": dense2}],
      {"convolution2d_1": [("W", r(3, 2, 3, 2)), ("b", r(3))], "dense_2": [("W", r(12, 2)), ("b", r(2))]})
