"""The honest verdict after a run: does the model beat the best naive baseline on validation and test, by
how much, and, when it does not, the most likely reason. A pure function of a run's metrics and history
(plus what the caller knows of the data), so the Train page, the CLI's JSON and Compare say the same."""

from __future__ import annotations

import math

SPLITS = (("val", "validation"), ("test", "test"))
FEW_WINDOWS = 200  # fewer training samples than this: too few to learn much beyond a naive forecast
TREND_GAP = 3.0  # the training mean is this many times worse than persistence: the level drifts (a trend)

REASONS = {
    "no_evaluation": "There are no validation or test samples, so nothing was measured. Use more rows, a "
    "shorter lookback or larger validation and test fractions.",
    "trend": "The series trends: a network fed levels scaled on the training rows cannot extrapolate past the "
    "highest value it saw in training. Predict the change from the last input value (Data page, Target form).",
    "few_windows": "Only {samples} training samples: too few for this stack to learn more than the naive forecast. "
    "Use more data, a shorter lookback, or a smaller stack.",
    "overfitting": "The validation loss was lowest at epoch {best} of {epochs} and rose after it while the training "
    "loss kept falling: the model overfits. Early stopping with the best weights restored helps, and so do dropout, "
    "fewer units or more data.",
    "underfitting": "The training loss {how}: the model underfits. Train for more epochs{deep}.",
    "naive_is_strong": "The naive forecast is hard to beat here (the series behaves much like a random walk "
    "from one step to the next); a model rarely adds much beyond it.",
}
DEEP_HINT = "; a deeper stack often trains better with a higher learning rate (3e-3) or a smaller batch (16)"


def _best_baseline(report: dict, metric: str, higher: bool) -> tuple[str, float] | None:
    values = [
        (name, float(v[metric]))
        for name, v in report.items()
        if name != "model"
        and isinstance(v, dict)
        and isinstance(v.get(metric), int | float)
        and math.isfinite(v[metric])
    ]
    if not values:
        return None
    return max(values, key=lambda p: p[1]) if higher else min(values, key=lambda p: p[1])


def _finite(values) -> list[float]:
    return [float(v) for v in values or [] if v is not None and math.isfinite(float(v))]


def _curve_reason(history: dict, depth: int | None) -> tuple[str, dict] | None:
    loss, val = _finite(history.get("loss")), _finite(history.get("val_loss"))
    if len(val) >= 4:
        best = min(range(len(val)), key=val.__getitem__)
        if best + 1 <= len(val) / 2 and val[-1] >= 1.2 * val[best] and len(loss) == len(val) and loss[-1] < loss[best]:
            return "overfitting", {"best": best + 1, "epochs": len(val)}
    if len(loss) >= 2:
        deep = DEEP_HINT if depth is not None and depth >= 3 else ""
        if loss[-1] >= 0.9 * loss[0]:
            return "underfitting", {"how": "barely fell from the first epoch", "deep": deep}
        if len(loss) >= 4 and loss[-1] < 0.95 * loss[-4] and (not val or val[-1] <= min(val) * 1.0001):
            return "underfitting", {"how": "was still falling when training ended", "deep": deep}
    return None


def verdict(
    metrics: dict,
    history: dict | None = None,
    *,
    data_config: dict | None = None,
    train_samples: int | None = None,
    depth: int | None = None,
) -> dict:
    """Whether the model beats the best naive baseline on each evaluated split, and why not.

    Returns {"beats": {"val": bool, "test": bool} (evaluated splits only), "splits": {split: {"metric",
    "model", "baseline", "baseline_value", "ratio"}}, "reason": a key of REASONS or None, "text": the verdict
    in words, "short": a few words for a table}. RMSE for regression (lower is better), accuracy for classification.

    >>> m = {"task": "regression", "test": {"model": {"rmse": 2.0}, "persistence (last value)": {"rmse": 1.0}}}
    >>> verdict(m)["text"].split(":")[0]
    'Worse than the naive forecast'
    """
    history = history or {}
    task = metrics.get("task", "regression")
    metric, higher = ("accuracy", True) if task == "classification" else ("rmse", False)
    splits, beats = {}, {}
    for key, _ in SPLITS:
        report = metrics.get(key)
        if not isinstance(report, dict) or metric not in report.get("model", {}):
            continue
        best = _best_baseline(report, metric, higher)
        model = float(report["model"][metric])
        if best is None or not math.isfinite(model):
            continue
        name, value = best
        ratio = model / value if value else (math.inf if model else 1.0)
        splits[key] = {"metric": metric, "model": model, "baseline": name, "baseline_value": value, "ratio": ratio}
        beats[key] = model > value if higher else model < value
    reason, text = None, ""
    if not splits:
        reason = "no_evaluation"
        text = "No verdict: " + REASONS[reason]
        return {"beats": beats, "splits": splits, "reason": reason, "text": text, "short": "no verdict: not evaluated"}
    good = [k for k in splits if beats[k]]
    names = dict(SPLITS)
    if len(good) == len(splits):
        head = "Better than the naive forecast"
    elif not good:
        head = "Worse than the naive forecast"
    else:
        bad = [k for k in splits if not beats[k]]
        head = f"Better than the naive forecast on {names[good[0]]} but not on {names[bad[0]]}"
    parts = [_split_words(names[k], splits[k], higher) for k in splits]
    text = f"{head}: " + "; ".join(parts) + "."
    if len(good) < len(splits):
        reason, values = _reason(metrics, history, splits, data_config, train_samples, depth)
        text += " Most likely reason: " + REASONS[reason].format(**values)
    short = head[0].lower() + head[1:] + (f" ({reason.replace('_', ' ')})" if reason else "")
    return {"beats": beats, "splits": splits, "reason": reason, "text": text, "short": short}


def _split_words(name: str, s: dict, higher: bool) -> str:
    label = "accuracy" if higher else "RMSE"
    model, base, ratio = s["model"], s["baseline_value"], s["ratio"]
    if higher:
        diff = (model - base) * 100
        how = f"{abs(diff):.1f} points {'higher' if diff > 0 else 'lower' if diff < 0 else 'the same'}"
        return f"on {name}, {label} {model:.3f} against {base:.3f} for {s['baseline']} ({how})"
    if ratio < 1:
        how = f"{(1 - ratio) * 100:.0f}% lower"
    elif ratio == 1:
        how = "the same"
    else:
        how = f"{ratio:.2f}× as large"
    return f"on {name}, {label} {model:.4g} against {base:.4g} for {s['baseline']} ({how})"


def _reason(metrics, history, splits, data_config, train_samples, depth) -> tuple[str, dict]:
    target_form = (data_config or {}).get("target_form", "value")
    for key in ("test", "val"):
        report = metrics.get(key) or {}
        mean = (report.get("training mean") or {}).get("rmse")
        persistence = (report.get("persistence (last value)") or {}).get("rmse")
        if target_form != "change" and mean and persistence and mean >= TREND_GAP * persistence:
            return "trend", {}
    if train_samples is not None and train_samples < FEW_WINDOWS:
        return "few_windows", {"samples": train_samples}
    curve = _curve_reason(history, depth)
    if curve is not None:
        return curve
    return "naive_is_strong", {}
