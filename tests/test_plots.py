from slstm import plots
from slstm.shapes import infer_shapes
from slstm.spec import lstm_stack


def test_loss_curve_has_train_and_validation_by_epoch():
    fig = plots.loss_curve({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.6]})
    assert [t.name for t in fig.data] == ["train", "validation"]
    assert list(fig.data[0].x) == [1, 2, 3]
    assert fig.layout.xaxis.title.text == "epoch"
    assert fig.layout.yaxis.type != "log"
    assert plots.loss_curve({"loss": [100.0, 1.0, 0.01]}).layout.yaxis.type == "log"


def test_shape_flow_colours_3d_and_2d_layers():
    rows = infer_shapes(lstm_stack(8, 4), timesteps=6, num_features=2)
    fig = plots.shape_flow((None, 6, 2), rows)
    colors = [s.line.color for s in fig.layout.shapes]
    assert colors == [plots.COLOR_INPUT, plots.COLOR_3D, plots.COLOR_2D, plots.COLOR_2D]
    labels = [a.text for a in fig.layout.annotations if a.text and "→" in a.text]
    assert labels[1].endswith("3D (batch, 6, 8)") and labels[2].endswith("2D (batch, 4)")


def test_broken_layers_are_red():
    rows = infer_shapes(lstm_stack(8, 4).with_layer(0, return_sequences=False), timesteps=6, num_features=2)
    fig = plots.shape_flow((None, 6, 2), rows)
    assert fig.layout.shapes[2].line.color == plots.COLOR_BROKEN
