"""Every layer's output in one multi-output forward pass against one sub-model per layer, on the reference model
(LSTM 64 -> LSTM 64 -> Dense 1, 48 timesteps x 8 features) and 256 samples; then the NumPy internals of both
LSTM layers, and the Inspect page's whole path for one sample. Run: python -m bench.inspection [repeats]
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import statistics
import time

import keras
import numpy as np

from slstm.figures import inspect as inspect_plots
from slstm.inspect import head_over_time, internals, layer_outputs, lstm_internals
from slstm.model import build_model
from slstm.shapes import InputShape
from slstm.spec import lstm_stack


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeats: int = 7, samples: int = 256) -> None:
    keras.utils.set_random_seed(0)  # a process of its own: seeding is fine here
    model = build_model(lstm_stack(64, 64), InputShape(timesteps=48, features=8))
    x = np.random.default_rng(0).normal(size=(samples, 48, 8)).astype("float32")  # (batch, timesteps, features)
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    print(f"{model.count_params():,} params; x {x.shape}; {repeats} repeats, medians; keras {keras.__version__}")

    start = time.perf_counter()
    layer_outputs(model, x)  # builds and traces the multi-output model once
    print(f"{'first layer_outputs (build + trace + pass)':<52}{time.perf_counter() - start:>9.3f} s")

    def per_layer_fresh() -> None:  # what a page without the cache would do on every rerun
        for layer in layers:
            keras.Model(model.inputs[0], layer.output).predict_on_batch(x)

    cached = [keras.Model(model.inputs[0], layer.output) for layer in layers]
    for sub in cached:
        sub.predict_on_batch(x)  # warm-up

    one = median_seconds(lambda: layer_outputs(model, x), repeats)
    fresh = median_seconds(per_layer_fresh, repeats)
    warm = median_seconds(lambda: [sub.predict_on_batch(x) for sub in cached], repeats)
    print(f"{'one multi-output pass (layer_outputs, warm)':<52}{one:>9.3f} s")
    print(f"{f'one sub-model per layer, built and called ({len(layers)})':<52}{fresh:>9.3f} s{fresh / one:>8.1f} x")
    print(f"{'one sub-model per layer, prebuilt and warm':<52}{warm:>9.3f} s{warm / one:>8.1f} x")

    outputs = layer_outputs(model, x)
    for index, layer in enumerate(layers[:2]):
        seq = x if index == 0 else outputs[layers[index - 1].name]
        seconds = median_seconds(lambda layer=layer, seq=seq: lstm_internals(layer, seq), repeats)
        print(f"{f'lstm_internals({layer.name}), {samples} samples':<52}{seconds:>9.3f} s")

    def page(model: keras.Model, sample: np.ndarray) -> None:  # what the Inspect page computes and draws
        outs = layer_outputs(model, sample)
        states = {name: internals(model, name, sample, outputs=outs) for name in ("lstm_1", "lstm_2")}
        over_time = head_over_time(model, sample, outputs=outs)
        inspect_plots.input_window(sample[0], [f"f{i}" for i in range(8)])
        inspect_plots.layer_stack(outs, 0)
        for name in states:
            inspect_plots.gates_figure(states[name])
        inspect_plots.prediction_over_time(over_time[0], target=0.0)

    start = time.perf_counter()
    page(model, x[:1])  # also pays plotly's one-time loading of its figure classes in this process
    print(f"{'page path, 1 sample, first in the process':<52}{time.perf_counter() - start:>9.3f} s")
    seconds = median_seconds(lambda: page(model, x[1:2]), repeats)
    print(f"{'page path, 1 sample, warm':<52}{seconds:>9.3f} s  ({verdict(seconds)})")
    loaded = build_model(lstm_stack(64, 64), InputShape(timesteps=48, features=8))  # as if just loaded from its file
    loaded.set_weights(model.get_weights())
    start = time.perf_counter()
    page(loaded, x[:1])  # builds and traces this model's multi-output twin
    seconds = time.perf_counter() - start
    print(f"{'page path, 1 sample, first call on a loaded model':<52}{seconds:>9.3f} s  ({verdict(seconds)})")


def verdict(seconds: float) -> str:
    return "under 0.5 s" if seconds < 0.5 else "OVER the 0.5 s budget"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
