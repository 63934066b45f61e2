import pandas as pd

from slstm.figures import compare as compare_plots


def test_overlaid_curves_pair_train_and_validation_per_run():
    histories = {
        "a": {"epoch": [1, 2], "loss": [1, 0.5], "val_loss": [1.1, 0.7], "seconds": [1.0, 2.0]},
        "b": {"epoch": [1], "loss": [0.9], "val_loss": [1.0], "seconds": [3.0]},
    }
    fig = compare_plots.overlaid_curves(histories)
    assert [t.name for t in fig.data] == ["a · train", "a · validation", "b · train", "b · validation"]
    assert fig.data[1].line.dash == "dash" and fig.data[0].line.color == fig.data[1].line.color
    by_time = compare_plots.overlaid_curves(histories, by="time", log=True)
    assert list(by_time.data[0].x) == [1.0, 3.0] and by_time.layout.yaxis.type == "log"


def test_sweep_chart_has_one_line_per_width():
    results = pd.DataFrame(
        {
            "depth": [1, 2, 1, 2],
            "units": [8, 8, 16, 16],
            "params": [10, 20, 30, 40],
            "best val_loss": [1.0, 0.8, 0.9, None],
        }
    )
    fig = compare_plots.sweep_chart(results)
    assert [t.name for t in fig.data] == ["8 units", "16 units"]
    assert list(fig.data[0].x) == [1, 2] and list(fig.data[1].x) == [1]
    assert compare_plots.sweep_chart(results, x="params").layout.xaxis.type == "log"


def test_the_figures_take_their_words_as_data():
    from slstm.i18n import labels

    histories = {"a": {"epoch": [1, 2], "loss": [1, 0.5], "val_loss": [1.1, 0.7], "seconds": [1.0, 2.0]}}
    curves = compare_plots.overlaid_curves(histories, by="time", labels=labels("compare.fig_curves", "zh"))
    assert [t.name for t in curves.data] == ["a · 训练集", "a · 验证集"]
    assert (curves.layout.title.text, curves.layout.xaxis.title.text) == ("损失曲线", "秒")
    assert curves.layout.yaxis.title.text == "损失（缩放后的单位）"
    table = pd.DataFrame({"name": ["a", "b"], "test rmse": [1.0, 2.0], "best baseline": [1.5, 1.5]})
    bars = compare_plots.metric_bars(table, "test rmse", labels=labels("compare.fig_metric", "zh"))
    assert [t.name for t in bars.data] == ["模型", "最佳基线"]
    assert (bars.layout.title.text, bars.layout.yaxis.title.text) == ("测试集 RMSE：模型与基线对比", "测试集 RMSE")
    english = compare_plots.metric_bars(table, "test rmse")
    assert english.layout.title.text == "test rmse against the baseline"
    assert [t.name for t in english.data] == ["model", "best baseline"]
    results = pd.DataFrame({"depth": [1, 2], "units": [8, 8], "params": [10, 20], "best val_loss": [1.0, 0.8]})
    zh = labels("compare.fig_sweep", "zh")
    depth, params = (
        compare_plots.sweep_chart(results, labels=zh),
        compare_plots.sweep_chart(results, x="params", labels=zh),
    )
    assert [t.name for t in depth.data] == ["8 个单元"] and depth.layout.xaxis.title.text == "循环层数"
    assert depth.layout.title.text == "不同层数下的最佳验证损失" and params.layout.xaxis.title.text == "参数量"
    assert (
        depth.data[0].hovertemplate
        == "%{customdata[0]} 层，%{customdata[1]} 个单元<br>val_loss %{y:.4g}<extra></extra>"
    )
    assert (
        compare_plots.sweep_chart(results).data[0].hovertemplate
        == "depth %{customdata[0]}, %{customdata[1]} units<br>val_loss %{y:.4g}<extra></extra>"
    )
