"""Metrics in the target's own units, beside the naive baselines a model must beat."""

from __future__ import annotations

import numpy as np

from slstm.data import Split, Windows


def rmse(truth: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(truth) - np.asarray(predicted)) ** 2)))


def mae(truth: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(truth) - np.asarray(predicted))))


def baselines(windows: Windows, split: Split) -> dict[str, np.ndarray]:
    """Naive forecasts for `split`, unscaled: the training mean, and persistence (the target's last value
    in the window) when the target is also a feature."""
    c = windows.config
    n, outputs = len(split), c.num_outputs
    target_mean = getattr(windows, "target_mean", None)
    if target_mean is not None:
        mean = np.tile(np.asarray(target_mean, dtype="float64"), (n, outputs // len(target_mean)))
    else:
        mean = np.tile(windows.unscale_y(np.zeros((1, outputs), "float32")), (n, 1))
    out = {"training mean": mean}
    if n and all(t in c.features for t in c.targets):
        base = getattr(split, "base", None)
        if base is not None:
            out["persistence (last value)"] = np.asarray(base, dtype="float64")
        else:
            idx = [c.features.index(t) for t in c.targets]
            last = windows.feature_scaler.inverse(split.x[:, -1, :])[:, idx]  # (n, targets)
            out["persistence (last value)"] = np.tile(last, (1, outputs // len(c.targets)))
    return out


def in_units(windows: Windows, split: Split, predicted_scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Truth and prediction of a regression split in the target's own units (samples, outputs): with
    target_form="change", the split's persistence forecast plus the network's predicted change."""
    return windows.unscale_y(split.y, split), windows.unscale_y(predicted_scaled, split)


def regression_report(windows: Windows, split: Split, predicted_scaled: np.ndarray) -> dict[str, dict[str, float]]:
    """RMSE and MAE of the model and of each baseline on `split`, in the target's units."""
    truth, predicted = in_units(windows, split, predicted_scaled)
    report = {"model": {"rmse": rmse(truth, predicted), "mae": mae(truth, predicted)}}
    for name, guess in baselines(windows, split).items():
        report[name] = {"rmse": rmse(truth, guess), "mae": mae(truth, guess)}
    return report


def classification_report(windows: Windows, split: Split, probabilities: np.ndarray) -> dict:
    """Accuracy beside the majority-class rate (the class most common in training), and the confusion matrix
    (rows: true class, columns: predicted), with the class names."""
    truth = np.asarray(split.y).reshape(-1).astype(int)
    predicted = np.asarray(probabilities).argmax(axis=-1).reshape(-1)
    classes = list(getattr(windows, "classes", ())) or [str(i) for i in range(probabilities.shape[-1])]
    majority = int(np.bincount(np.asarray(windows.train.y).reshape(-1).astype(int), minlength=len(classes)).argmax())
    matrix = np.zeros((len(classes), len(classes)), dtype=int)
    np.add.at(matrix, (truth, predicted), 1)
    return {
        "model": {"accuracy": float(np.mean(truth == predicted))},
        "majority class": {"accuracy": float(np.mean(truth == majority))},
        "confusion": matrix.tolist(),
        "classes": classes,
    }
