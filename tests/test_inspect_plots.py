import numpy as np
import pytest

from slstm.figures import inspect as ip

RNG = np.random.default_rng(0)


def test_input_window_draws_each_feature_over_time_with_names_as_text():
    fig = ip.input_window(RNG.normal(size=(12, 2)), ["temp", "<b>rain</b>"])
    assert [t.name for t in fig.data] == ["temp", "&lt;b&gt;rain&lt;/b&gt;"]
    assert list(fig.data[0].x) == list(range(12))
    assert fig.layout.xaxis.title.text == "timestep"
    assert fig.layout.template.layout.paper_bgcolor == "white"  # plotly_white
    with pytest.raises(ValueError, match="2 features"):
        ip.input_window(RNG.normal(size=(12, 3)), ["a", "b"])


def test_sequence_heatmap_has_time_on_x_units_on_y_and_is_centred_at_zero():
    values = RNG.normal(size=(10, 4))  # (timesteps, units)
    fig = ip.sequence_heatmap(values, title="lstm_1 output")
    (heatmap,) = fig.data
    assert heatmap.type == "heatmap"
    assert np.asarray(heatmap.z).shape == (4, 10)
    assert heatmap.zmid == 0 and heatmap.colorscale == ip.go.Heatmap(colorscale=ip.DIVERGING).colorscale
    assert "timestep %{x}" in heatmap.hovertemplate and "unit %{y}" in heatmap.hovertemplate
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("timestep", "unit")
    assert fig.layout.title.text == "lstm_1 output"
    unsigned = ip.sequence_heatmap(np.abs(values), title="gate", signed=False, zrange=(0, 1)).data[0]
    assert unsigned.zmid is None and (unsigned.zmin, unsigned.zmax) == (0, 1)


def test_vector_bars_show_one_bar_per_unit_with_the_note():
    fig = ip.vector_bars(np.arange(5.0), title="lstm_2", note="return_sequences=False: the last step only")
    assert fig.data[0].type == "bar" and list(fig.data[0].x) == [0, 1, 2, 3, 4]
    assert fig.layout.title.subtitle.text.startswith("return_sequences=False")
    assert fig.layout.xaxis.title.text == "unit"


def lstm_like(batch=2, steps=8, units=3):
    gates = {k: RNG.uniform(size=(batch, steps, units)) for k in ("input_gate", "forget_gate")}
    signed = {k: RNG.normal(size=(batch, steps, units)) for k in ("candidate",)}
    return {**gates, **signed, "output_gate": RNG.uniform(size=(batch, steps, units)), "cell": signed["candidate"] * 2}


def test_gates_figure_has_one_heatmap_per_panel_gates_on_0_to_1():
    internals = {**lstm_like(), "hidden": RNG.normal(size=(2, 8, 3))}
    fig = ip.gates_figure(internals, sample=1)
    assert [t.type for t in fig.data] == ["heatmap"] * 6
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("input gate") and titles[4].startswith("cell state")
    gate, candidate = fig.data[0], fig.data[2]
    assert (gate.zmin, gate.zmax) == (0, 1) and gate.zmid is None
    assert candidate.zmid == 0
    np.testing.assert_allclose(np.asarray(fig.data[4].z), internals["cell"][1].T)  # sample 1, units on y
    assert fig.layout.xaxis6.title.text == "timestep" and fig.layout.yaxis.title.text == "unit"
    assert fig.layout.xaxis.matches == "x6"  # one time axis for all panels
    assert 600 <= fig.layout.height <= 1600
    with pytest.raises(ValueError, match="two directions"):
        ip.gates_figure({"forward": internals, "backward": internals})


def test_layer_stack_draws_3d_as_heatmaps_and_2d_as_bars_top_down():
    outputs = {
        "lstm_1": RNG.normal(size=(3, 8, 4)),
        "lstm_2": RNG.normal(size=(3, 8, 2)),
        "lstm_3": RNG.normal(size=(3, 5)),
        "output": RNG.normal(size=(3, 1)),
    }
    fig = ip.layer_stack(outputs, sample=2)
    assert [t.type for t in fig.data] == ["heatmap", "heatmap", "bar", "bar"]
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0].startswith("lstm_1: 3D") and titles[2].startswith("lstm_3: 2D")
    np.testing.assert_allclose(np.asarray(fig.data[2].y), outputs["lstm_3"][2])
    assert fig.layout.xaxis2.matches == "x"  # the 3D rows share time
    assert fig.layout.xaxis3.title.text == "unit" and fig.layout.xaxis.title.text == "timestep"
    assert fig.layout.yaxis.domain[0] > fig.layout.yaxis4.domain[1]  # first layer on top


def test_prediction_over_time_ends_in_the_output_with_the_target_dashed():
    fig = ip.prediction_over_time(np.linspace(0, 1, 6), target=0.8)
    line, target = fig.data
    assert list(line.x) == list(range(6)) and line.y[-1] == 1
    assert target.line.dash == "dash" and list(target.y) == [0.8, 0.8]
    assert fig.layout.xaxis.title.text == "timestep"
    two = ip.prediction_over_time(RNG.normal(size=(6, 2)), names=["a", "b"])
    assert [t.name for t in two.data] == ["a", "b"]


def zh(figure):
    from slstm.i18n import labels

    return labels(f"inspect.fig_{figure}", "zh")


def cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def test_every_figure_takes_its_words_as_data_and_english_stays_the_default():
    fig = ip.input_window(RNG.normal(size=(12, 2)), ["temp", "rain"], labels=zh("input"))
    assert fig.layout.title.text == "输入窗口：12 个时间步 × 2 个特征"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("时间步", "数值（已缩放）")
    assert [t.name for t in fig.data] == ["temp", "rain"]  # column names stay
    heat = ip.sequence_heatmap(RNG.normal(size=(10, 4)), title="lstm_1", labels=zh("heatmap"))
    assert (heat.layout.xaxis.title.text, heat.layout.yaxis.title.text) == ("时间步", "单元")
    assert heat.data[0].hovertemplate.startswith("时间步 %{x}<br>单元 %{y}<br>数值")
    assert heat.data[0].colorbar.title.text == "数值"
    bars = ip.vector_bars(np.arange(5.0), title="lstm_2", note="", labels=zh("bars"))
    assert bars.layout.xaxis.title.text == "单元" and "单元 %{x}" in bars.data[0].hovertemplate
    lines = ip.unit_lines(RNG.normal(size=(8, 3)), [0, 2], title="lstm_1", labels=zh("lines"))
    assert [t.name for t in lines.data] == ["单元 0", "单元 2"] and lines.layout.xaxis.title.text == "时间步"
    english = ip.unit_lines(RNG.normal(size=(8, 3)), [0], title="lstm_1")
    assert english.data[0].name == "unit 0" and english.layout.yaxis.title.text == "value"


def test_gate_panels_layer_rows_and_the_forming_prediction_in_chinese():
    gates = ip.gates_figure({**lstm_like(), "hidden": RNG.normal(size=(2, 8, 3))}, labels=zh("gates"))
    titles = [a.text for a in gates.layout.annotations]
    assert [t.split(" ")[0].split("：")[0] for t in titles] == [
        "输入门",
        "遗忘门",
        "候选值",
        "输出门",
        "细胞状态",
        "隐藏状态",
    ]
    assert gates.layout.title.text == "层的内部：3 个单元，8 个时间步"
    assert gates.layout.xaxis6.title.text == "时间步" and gates.layout.yaxis.title.text == "单元"
    gru = ip.gates_figure({k: RNG.uniform(size=(1, 4, 2)) for k in ("update_gate", "reset_gate")}, labels=zh("gates"))
    assert [a.text.split(" ")[0] for a in gru.layout.annotations] == ["更新门", "重置门"]
    outputs = {"lstm_1": RNG.normal(size=(1, 8, 4)), "output": RNG.normal(size=(1, 1))}
    stack = ip.layer_stack(outputs, 0, labels=zh("stack"))
    assert stack.layout.title.text == "样本 0：每一层的输出"
    assert [a.text for a in stack.layout.annotations] == [
        "lstm_1：3D，每个时间步一个长度为 4 的向量",
        "output：2D，整个样本只有一个长度为 1 的向量",
    ]
    forming = ip.prediction_over_time(RNG.normal(size=(6, 2)), target=[0.1, 0.2], labels=zh("forming"))
    assert [t.name for t in forming.data] == ["输出 0", "输出 0 的目标值", "输出 1", "输出 1 的目标值"]
    assert forming.layout.title.text == "预测值如何逐步形成" and forming.layout.yaxis.title.text == "预测值（已缩放）"
    assert cjk(forming.layout.title.subtitle.text) and forming.data[1].hovertemplate.startswith("目标值 ")
    one = ip.prediction_over_time(np.linspace(0, 1, 6), target=0.8)
    assert [t.name for t in one.data] == ["output 0", "target"] and one.layout.yaxis.title.text == "prediction (scaled)"
