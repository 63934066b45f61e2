import pandas as pd

from slstm import compare_plots


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
