import re

import pytest

from slstm.verdict import verdict


def regression(model, persistence, mean=10.0):
    return {
        "model": {"rmse": model, "mae": model},
        "training mean": {"rmse": mean},
        "persistence (last value)": {"rmse": persistence},
    }


def test_a_model_that_beats_persistence_on_both_splits_is_called_better():
    v = verdict({"task": "regression", "val": regression(0.4, 0.5), "test": regression(0.3, 0.6)})
    assert v["beats"] == {"val": True, "test": True} and v["reason"] is None
    assert v["text"].startswith("Better than the naive forecast: on validation, RMSE 0.4 against 0.5 for persistence")
    assert "(50% lower)" in v["text"] and "Most likely reason" not in v["text"]
    assert v["splits"]["test"]["ratio"] == pytest.approx(0.5)


def test_a_model_worse_than_persistence_is_called_worse_with_a_reason():
    history = {"loss": [1.0, 0.5, 0.3, 0.2, 0.1, 0.05], "val_loss": [0.5, 0.4, 0.6, 0.8, 0.9, 1.0]}
    v = verdict({"task": "regression", "val": regression(2.31, 0.59, mean=1.5)}, history)
    assert v["beats"] == {"val": False} and v["reason"] == "overfitting"
    assert v["text"].startswith("Worse than the naive forecast: on validation, RMSE 2.31 against 0.59")
    assert "3.92× as large" in v["text"] and "lowest at epoch 2 of 6" in v["text"]


def test_a_trend_is_named_when_levels_were_predicted():
    v = verdict({"task": "regression", "test": regression(8.3, 1.0, mean=40.0)}, data_config={"target_form": "value"})
    assert v["reason"] == "trend" and "Predict the change from the last input value" in v["text"]
    changed = verdict(
        {"task": "regression", "test": regression(8.3, 1.0, mean=40.0)}, data_config={"target_form": "change"}
    )
    assert changed["reason"] != "trend"


def test_the_best_baseline_is_the_bar_and_mixed_results_say_so():
    v = verdict({"task": "regression", "val": regression(0.9, 1.0, mean=0.8), "test": regression(0.5, 1.0, mean=2.0)})
    assert v["splits"]["val"]["baseline"] == "training mean"
    assert v["text"].startswith("Better than the naive forecast on test but not on validation")


def test_few_windows_and_underfitting_reasons():
    few = verdict({"task": "regression", "test": regression(1.2, 1.0, mean=1.1)}, train_samples=40)
    assert few["reason"] == "few_windows" and "Only 40 training samples" in few["text"]
    flat = verdict({"task": "regression", "test": regression(1.2, 1.0, mean=1.1)}, {"loss": [1.0, 0.98, 0.97]}, depth=3)
    assert flat["reason"] == "underfitting" and "learning rate (3e-3)" in flat["text"]


def test_classification_compares_accuracy_with_the_majority_class():
    good = verdict(
        {"task": "classification", "test": {"model": {"accuracy": 0.9}, "majority class": {"accuracy": 0.5}}}
    )
    assert (
        good["beats"] == {"test": True}
        and "accuracy 0.900 against 0.500 for majority class (40.0 points higher)" in good["text"]
    )
    bad = verdict({"task": "classification", "test": {"model": {"accuracy": 0.5}, "majority class": {"accuracy": 0.5}}})
    assert bad["beats"] == {"test": False} and bad["text"].startswith("Worse than the naive forecast")


def test_no_evaluated_split_gives_no_verdict_and_says_why():
    v = verdict({"task": "regression"})
    assert v["reason"] == "no_evaluation" and v["text"].startswith(
        "No verdict: There are no validation or test samples"
    )


def test_short_words_for_a_table():
    v = verdict({"task": "regression", "test": regression(8.3, 1.0, mean=40.0)})
    assert v["short"] == "worse than the naive forecast (trend)"
    assert verdict({"task": "regression", "test": regression(0.3, 1.0)})["short"] == "better than the naive forecast"


def test_a_classifier_stuck_at_the_majority_rate_is_told_so():
    stuck = {"task": "classification", "val": {"model": {"accuracy": 0.62}, "majority class": {"accuracy": 0.62}}}
    v = verdict(stuck, {"loss": [0.7, 0.5, 0.4]}, depth=3)
    assert v["reason"] == "majority" and "most common class" in v["text"] and "(majority class)" in v["short"]
    learned = {"task": "classification", "val": {"model": {"accuracy": 0.58}, "majority class": {"accuracy": 0.62}}}
    assert verdict(learned, {"loss": [0.7, 0.5, 0.4]})["reason"] != "majority"


def test_the_verdict_speaks_chinese_with_the_same_numbers():
    metrics = {"task": "regression", "val": regression(0.9, 1.0, mean=1.2), "test": regression(0.5, 0.25, mean=0.6)}
    en, zh = verdict(metrics, {"loss": [1.0, 0.99]}), verdict(metrics, {"loss": [1.0, 0.99]}, lang="zh")
    assert en["reason"] == zh["reason"] == "underfitting" and en["beats"] == zh["beats"]
    assert zh["text"].startswith("在验证集上优于朴素预测") and "0.5" in zh["text"] and "2.00 倍" in zh["text"]
    assert not re.search(r"[A-Za-z]{4,} [A-Za-z]{4,}", zh["text"]), zh["text"]
    assert "欠拟合" in zh["short"]
