import re

import numpy as np
from hypothesis import given, settings
from strategies import any_specs

from slstm.figures import charts as plots
from slstm.i18n import labels
from slstm.shapes import InputShape, infer_shapes
from slstm.spec import lstm_stack


def test_loss_curve_has_train_and_validation_by_epoch():
    fig = plots.loss_curve({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.6]})
    assert [t.name for t in fig.data] == ["train", "validation"]
    assert list(fig.data[0].x) == [1, 2, 3]
    assert fig.layout.xaxis.title.text == "epoch"
    assert fig.layout.yaxis.type != "log"
    assert plots.loss_curve({"loss": [100.0, 1.0, 0.01]}).layout.yaxis.type == "log"


def test_shape_flow_colours_3d_and_2d_layers():
    rows = infer_shapes(lstm_stack(8, 4), InputShape(timesteps=6, features=2))
    fig = plots.shape_flow((None, 6, 2), rows)
    colors = [s.line.color for s in fig.layout.shapes]
    assert colors == [plots.COLOR_INPUT, plots.COLOR_3D, plots.COLOR_2D, plots.COLOR_2D]
    labels = [a.text for a in fig.layout.annotations if a.text and "→" in a.text]
    assert labels[1].endswith("3D (batch, 6, 8)") and labels[2].endswith("2D (batch, 4)")


def test_broken_layers_are_red():
    rows = infer_shapes(lstm_stack(8, 4).with_layer(0, return_sequences=False), InputShape(timesteps=6, features=2))
    fig = plots.shape_flow((None, 6, 2), rows)
    assert fig.layout.shapes[2].line.color == plots.COLOR_BROKEN


CJK = re.compile(r"[\u4e00-\u9fff]")


def _texts(fig):
    layout = fig.layout
    out = [layout.title.text, layout.xaxis.title.text, layout.yaxis.title.text]
    out += [a.text for a in layout.annotations if a.text]
    return [s for s in out if s], [t.name for t in fig.data]


def test_loss_curve_speaks_the_language_of_its_labels():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    en = plots.loss_curve(history)
    assert en.layout.title.text == "Loss by epoch" and en.layout.yaxis.title.text == "loss (MSE, scaled units)"
    assert "epoch %{x}<br>train loss %{y:.4g}" in en.data[0].hovertemplate
    assert plots.loss_curve(history, title="Run 3").layout.title.text == "Run 3"
    zh = plots.loss_curve(history, labels=labels("plots.loss", "zh"))
    texts, names = _texts(zh)
    assert texts == ["各轮次的损失", "轮次", "损失（MSE，缩放后的单位）"] and names == ["训练集", "验证集"]
    assert zh.data[0].hovertemplate.startswith("轮次 %{x}<br>训练集损失 %{y:.4g}")


def test_predictions_speak_the_language_of_their_labels():
    truth, predicted = np.zeros((4, 1)), np.ones((4, 1))
    en = plots.predictions(truth, predicted)
    assert (en.layout.title.text, en.layout.xaxis.title.text, en.layout.yaxis.title.text) == (
        "Test predictions",
        "test sample",
        "value",
    )
    assert [t.name for t in en.data] == ["truth", "prediction"]
    zh = plots.predictions(truth, predicted, unit="level_m", labels=labels("plots.predictions", "zh"))
    texts, names = _texts(zh)
    assert texts == ["测试集上的预测", "测试样本", "level_m"] and names == ["真实值", "预测值"]
    no_unit = plots.predictions(truth, predicted, labels=labels("plots.predictions", "zh"))
    assert no_unit.layout.yaxis.title.text == "数值"


def test_shape_flow_speaks_the_language_of_its_labels():
    spec = lstm_stack(8, 4, 2).with_layer(0, bidirectional=True, merge_mode="sum").with_layer(1, return_sequences=False)
    rows = infer_shapes(spec, InputShape(timesteps=6, features=2))
    zh = plots.shape_flow((None, 6, 2), rows, labels=labels("plots.shape_flow", "zh"))
    texts, names = _texts(zh)
    assert texts[0] == "张量形状的变化" and names == ["3D：(batch, timesteps, units)", "2D：(batch, units)"]
    assert any(t.startswith("<b>输入</b>") for t in texts) and any("全连接输出层" in t for t in texts)
    assert "3D：每个时间步输出一个向量，因为 return_sequences=True；两个方向的输出按 sum 合并" in texts
    assert "LSTM 需要 3D 输入 (batch, timesteps, features)，却收到 2D 张量 (batch, 4)" in texts
    for text in texts[1:]:  # every box speaks Chinese, apart from the shapes and names it shows
        assert CJK.search(text) or "(batch" in text or "→" in text, text
    en_texts, _ = _texts(plots.shape_flow((None, 6, 2), rows))
    assert not [t for t in en_texts if CJK.search(t)]


@settings(max_examples=80, deadline=None)
@given(any_specs())
def test_shape_flow_reasons_in_english_are_the_words_of_infer_shapes(spec):
    rows = infer_shapes(spec, InputShape(timesteps=5, features=3, outputs=2))
    assert [plots.layer_reason(r) for r in rows] == [r.reason for r in rows]
    zh = labels("plots.shape_flow", "zh")
    assert all(CJK.search(plots.layer_reason(r, zh)) for r in rows)
