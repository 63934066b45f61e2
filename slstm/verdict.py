"""The honest verdict after a run: does the model beat the best naive baseline on validation and test, by
how much, and, when it does not, the most likely reason. A pure function of a run's metrics and history
(plus what the caller knows of the data), so the Train page, the CLI's JSON and Compare say the same."""

from __future__ import annotations

import math

from slstm.i18n import t

SPLITS = ("val", "test")
TOO_FEW_SAMPLES = 200  # fewer training samples than this: too few to learn much beyond a naive forecast
TREND_GAP = 3.0  # the training mean is this many times worse than persistence: the level drifts (a trend)
MAJORITY_GAP = 0.005  # accuracy within half a point of the majority-class rate: it predicts that class only
REASONS = ("no_evaluation", "trend", "few_windows", "majority", "overfitting", "underfitting", "naive_is_strong")
BASELINES = {  # slstm.metrics' forecaster names, as catalog keys (results.toml names them for every table)
    "training mean": "results.forecaster.training_mean",
    "persistence (last value)": "results.forecaster.persistence",
    "majority class": "results.forecaster.majority_class",
}


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


def _curve_reason(history: dict, depth: int | None, lang: str) -> tuple[str, dict] | None:
    loss, val = _finite(history.get("loss")), _finite(history.get("val_loss"))
    if len(val) >= 4:
        best = min(range(len(val)), key=val.__getitem__)
        if best + 1 <= len(val) / 2 and val[-1] >= 1.2 * val[best] and len(loss) == len(val) and loss[-1] < loss[best]:
            return "overfitting", {"best": best + 1, "epochs": len(val)}
    if len(loss) >= 2:
        deep = t("verdict.deep_hint", lang) if depth is not None and depth >= 3 else ""
        if loss[-1] >= 0.9 * loss[0]:
            return "underfitting", {"how": t("verdict.how_flat", lang), "deep": deep}
        if len(loss) >= 4 and loss[-1] < 0.95 * loss[-4] and (not val or val[-1] <= min(val) * 1.0001):
            return "underfitting", {"how": t("verdict.how_falling", lang), "deep": deep}
    return None


def verdict(
    metrics: dict,
    history: dict | None = None,
    *,
    data_config: dict | None = None,
    train_samples: int | None = None,
    depth: int | None = None,
    lang: str = "en",
) -> dict:
    """Whether the model beats the best naive baseline on each evaluated split, and why not.

    Returns {"beats": {"val": bool, "test": bool} (evaluated splits only), "splits": {split: {"metric",
    "model", "baseline", "baseline_value", "ratio"}}, "reason": one of REASONS or None, "text": the verdict
    in words, "short": a few words for a table}, the words in `lang`. RMSE for regression (lower is better),
    accuracy for classification.

    >>> m = {"task": "regression", "test": {"model": {"rmse": 2.0}, "persistence (last value)": {"rmse": 1.0}}}
    >>> verdict(m)["text"].split(":")[0]
    'Worse than the naive forecast'
    """
    history = history or {}
    task = metrics.get("task", "regression")
    metric, higher = ("accuracy", True) if task == "classification" else ("rmse", False)
    splits, beats = {}, {}
    for key in SPLITS:
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
    if not splits:
        reason = "no_evaluation"
        text = t("verdict.no_verdict", lang, reason=t(f"verdict.reason.{reason}", lang))
        return {
            "beats": beats,
            "splits": splits,
            "reason": reason,
            "text": text,
            "short": t("verdict.short_no_verdict", lang),
        }
    good = [k for k in splits if beats[k]]
    if len(good) == len(splits):
        head = t("verdict.better", lang)
    elif not good:
        head = t("verdict.worse", lang)
    else:
        bad = [k for k in splits if not beats[k]]
        head = t(
            "verdict.mixed", lang, good=t(f"verdict.split.{good[0]}", lang), bad=t(f"verdict.split.{bad[0]}", lang)
        )
    parts = t("verdict.joiner", lang).join(_split_words(k, splits[k], higher, lang) for k in splits)
    text = t("verdict.sentence", lang, head=head, parts=parts)
    reason = None
    short = head[0].lower() + head[1:]
    if len(good) < len(splits):
        reason, values = _reason(metrics, history, splits, data_config, train_samples, depth, lang)
        text += t("verdict.likely", lang, reason=t(f"verdict.reason.{reason}", lang, **values))
        short = t("verdict.short", lang, head=short, reason=t(f"verdict.reason_short.{reason}", lang))
    return {"beats": beats, "splits": splits, "reason": reason, "text": text, "short": short}


def _split_words(key: str, s: dict, higher: bool, lang: str) -> str:
    metric = "accuracy" if higher else "rmse"
    model, base, ratio = s["model"], s["baseline_value"], s["ratio"]
    if higher:
        diff = (model - base) * 100
        kind = "points_higher" if diff > 0 else "points_lower" if diff < 0 else "same"
    else:
        kind = "pct_lower" if ratio < 1 else "same" if ratio == 1 else "times"
    how = t(f"verdict.compare.{kind}", lang, points=abs(diff) if higher else 0, pct=(1 - ratio) * 100, ratio=ratio)
    baseline = t(BASELINES[s["baseline"]], lang) if s["baseline"] in BASELINES else s["baseline"]
    return t(
        f"verdict.compare.{metric}",
        lang,
        split=t(f"verdict.split.{key}", lang),
        label=t(f"verdict.metric.{metric}", lang),
        model=model,
        base=base,
        baseline=baseline,
        how=how,
    )


def _reason(metrics, history, splits, data_config, train_samples, depth, lang) -> tuple[str, dict]:
    target_form = (data_config or {}).get("target_form", "value")
    for key in ("test", "val"):
        report = metrics.get(key) or {}
        mean = (report.get("training mean") or {}).get("rmse")
        persistence = (report.get("persistence (last value)") or {}).get("rmse")
        if target_form != "change" and mean and persistence and mean >= TREND_GAP * persistence:
            return "trend", {}
        majority = (report.get("majority class") or {}).get("accuracy")
        accuracy = (report.get("model") or {}).get("accuracy")
        if majority is not None and accuracy is not None and abs(accuracy - majority) <= MAJORITY_GAP:
            return "majority", {}
    if train_samples is not None and train_samples < TOO_FEW_SAMPLES:
        return "few_windows", {"samples": train_samples}
    curve = _curve_reason(history, depth, lang)
    if curve is not None:
        return curve
    return "naive_is_strong", {}
