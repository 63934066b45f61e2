"""Pure figure builders: plain data in, plotly Figure out. Pages only draw what these return."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from slstm.i18n import labels as catalog_labels
from slstm.shapes import LayerShape, Shape, shape_text
from slstm.text import plot_text

COLOR_3D = "#1f77b4"  # sequences: one vector per timestep
COLOR_2D = "#ff7f0e"  # one vector per sample
COLOR_INPUT = "#7f7f7f"
COLOR_BROKEN = "#d62728"
_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), height=360)


def loss_curve(
    history: Mapping[str, Sequence[float]], *, title: str | None = None, labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Train and validation loss against epoch (1-based); log y-axis when the loss spans decades.
    `labels`: the figure's words (i18n.labels("plots.loss", lang)); English by default. `title` replaces
    the default title."""
    words = labels or catalog_labels("plots.loss")
    fig = go.Figure()
    styles = {"loss": (words["train"], "#1f77b4", "solid"), "val_loss": (words["validation"], "#ff7f0e", "dash")}
    values: list[float] = []
    for key, (name, color, dash) in styles.items():
        ys = list(history.get(key, []))
        if not ys:
            continue
        values += [v for v in ys if np.isfinite(v) and v > 0]
        hover_loss = words["hover_loss"].format(name=name)
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(ys) + 1)),
                y=ys,
                name=name,
                mode="lines+markers",
                line=dict(color=color, dash=dash),
                hovertemplate=f"{words['hover_epoch']} %{{x}}<br>{hover_loss} %{{y:.4g}}<extra></extra>",
            )
        )
    log = bool(values) and max(values) / min(values) > 30
    fig.update_layout(
        title=words["title"] if title is None else title,
        xaxis_title=words["x_axis"],
        yaxis_title=words["y_axis"],
        **_LAYOUT,
    )
    fig.update_xaxes(rangemode="tozero" if not values else None, dtick=1 if len(values) <= 24 else None)
    if log:
        fig.update_yaxes(type="log", dtick=1)  # one tick per decade
    return fig


def series(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    time_column: str | None = None,
    max_points: int = 5000,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Chosen columns over time (every n-th row past `max_points`, so big files stay fast to draw).
    `labels`: the figure's words (i18n.labels("plots.series", lang)); English by default."""
    words = labels or catalog_labels("plots.series")
    step = max(1, len(frame) // max_points)
    part = frame.iloc[::step]
    x = part[time_column] if time_column else part.index
    fig = go.Figure()
    for col in columns:
        fig.add_trace(go.Scatter(x=x, y=part[col], name=plot_text(col), mode="lines"))
    title = words["title_sampled"].format(step=step) if step > 1 else words["title"]
    x_title = plot_text(time_column) if time_column else words["row"]
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=words["value"], **_LAYOUT)
    return fig


RECURRENT_KINDS = ("lstm", "gru", "simple_rnn")


def layer_label(row: LayerShape, labels: Mapping[str, str] | None = None) -> str:
    """What a layer is called in the figure and the page's table: Keras' class name, except the output head.
    `labels`: i18n.labels("plots.shape_flow", lang)."""
    words = labels or catalog_labels("plots.shape_flow")
    return words["output_layer"] if row.kind == "output" else row.label


def layer_reason(row: LayerShape, labels: Mapping[str, str] | None = None) -> str:
    """Why the layer's output has its shape, in the figure's language (the words of slstm.shapes, by case)."""
    words = labels or catalog_labels("plots.shape_flow")
    if not row.ok:
        if not row.input_shape:  # an earlier layer could not be built
            return words["not_built"]
        return words["needs_3d"].format(label=row.label, shape=shape_text(row.input_shape))
    if row.kind in RECURRENT_KINDS:
        reason = words["sequences"] if row.ndim == 3 else words["last_output"]
        if "merged by " in row.reason:  # a bidirectional layer: the merge mode is a Keras name
            reason += words["merged"].format(mode=row.reason.rsplit("merged by ", 1)[1])
        return reason
    return words["every_timestep"] if len(row.input_shape) == 3 else words["per_sample"]


def shape_flow(input_shape: Shape, rows: Sequence[LayerShape], *, labels: Mapping[str, str] | None = None) -> go.Figure:
    """The tensor's path through the stack: one box per layer, 3D (blue) and 2D (orange) told apart.
    `labels`: the figure's words (i18n.labels("plots.shape_flow", lang)); English by default."""
    words = labels or catalog_labels("plots.shape_flow")
    names = [words["input"]] + [layer_label(r, words) for r in rows]
    shapes = [input_shape] + [r.output_shape for r in rows]
    reasons = [words["input_reason"]] + [layer_reason(r, words) for r in rows]
    colors = [COLOR_INPUT] + [COLOR_BROKEN if not r.ok else COLOR_3D if r.ndim == 3 else COLOR_2D for r in rows]
    n = len(names)
    fig = go.Figure()
    for i in range(n):
        y = n - 1 - i
        dims = "" if shapes[i] is None else f"{len(shapes[i])}D "
        fig.add_shape(
            type="rect",
            x0=0.05,
            x1=0.95,
            y0=y - 0.38,
            y1=y + 0.38,
            fillcolor=colors[i],
            opacity=0.18,
            line=dict(color=colors[i], width=2),
            layer="below",
        )
        label = f"<b>{names[i]}</b>  →  {dims}{shape_text(shapes[i])}"
        fig.add_annotation(x=0.5, y=y + 0.12, text=label, showarrow=False, font=dict(size=15, color="#111"))
        fig.add_annotation(x=0.5, y=y - 0.18, text=reasons[i], showarrow=False, font=dict(size=12, color="#333"))
        if i:
            fig.add_annotation(
                x=0.5,
                y=y + 0.38,
                ax=0.5,
                ay=y + 0.62,
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=2,
                arrowwidth=1.5,
                text="",
            )
    # invisible points carry the hover text and the legend of colours
    for color, name in ((COLOR_3D, words["legend_3d"]), (COLOR_2D, words["legend_2d"])):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(size=12, color=color), name=name))
    fig.update_xaxes(visible=False, range=[0, 1])
    fig.update_yaxes(visible=False, range=[-0.6, n - 0.4])
    fig.update_layout(
        template="plotly_white",
        height=100 + 78 * n,
        margin=dict(l=10, r=10, t=70, b=10),
        title=dict(text=words["title"], y=0.98, yanchor="top"),
        legend=dict(orientation="h", y=1.0, x=0, xanchor="left", yanchor="bottom"),
    )
    return fig


def predictions(
    truth: np.ndarray,
    predicted: np.ndarray,
    *,
    title: str | None = None,
    unit: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Prediction against the truth over the test samples (first output column). `unit`: the y-axis title
    (the target's name), "value" in the figure's language when None. `labels`: i18n.labels("plots.predictions",
    lang); English by default."""
    words = labels or catalog_labels("plots.predictions")
    x = np.arange(len(truth))
    fig = go.Figure(
        [
            go.Scatter(x=x, y=np.asarray(truth)[:, 0], name=words["truth"], mode="lines", line=dict(color="#333")),
            go.Scatter(
                x=x, y=np.asarray(predicted)[:, 0], name=words["prediction"], mode="lines", line=dict(color="#d62728")
            ),
        ]
    )
    fig.update_layout(
        title=words["title"] if title is None else plot_text(title),
        xaxis_title=words["x_axis"],
        yaxis_title=words["value"] if unit is None else plot_text(unit),
        **_LAYOUT,
    )
    return fig


def window_preview(
    frame: pd.DataFrame,
    windows,
    sample: int,
    *,
    split: str = "train",
    column: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Where sample `sample` of a split comes from: the X rows shaded, the y row(s) marked.

    Layout A: `column` (default: the target when it is numeric, else the first feature) over the table
    rows around the window; rows are the table's 0-based positions. Layout B: the sample's sequence,
    every feature (or `column`) over the model's timesteps, with the zero padding shaded. For the test
    split of a separate test file, pass that file's frame. `labels`: i18n.labels("plots.window", lang).
    """
    words = labels or catalog_labels("plots.window")
    part = {"train": windows.train, "val": windows.val, "validation": windows.val, "test": windows.test}[split]
    if not 0 <= sample < len(part):
        raise IndexError(f"Sample {sample} is out of range: the {split} split has {len(part)} samples.")
    c = windows.config
    if c.sequence_id is not None:
        return _sequence_preview(frame, windows, part, sample, column, words)
    start, t = int(part.starts[sample]), c.lookback
    y_rows = list(range(start + t, start + t + c.horizon)) if c.multi_step else [start + t + c.horizon - 1]
    target = c.targets[0]
    if column is None:
        column = target if pd.api.types.is_numeric_dtype(frame[target]) else c.features[0]
    context = max(5, t // 2)
    lo, hi = max(0, start - context), min(len(frame), y_rows[-1] + context + 1)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.arange(lo, hi),
            y=frame[column].iloc[lo:hi],
            name=plot_text(column),
            mode="lines+markers",
            line=dict(color=COLOR_INPUT),
            marker=dict(size=4),
        )
    )
    fig.add_vrect(
        x0=start - 0.5,
        x1=start + t - 0.5,
        fillcolor=COLOR_3D,
        opacity=0.15,
        line_width=0,
        annotation_text=words["x_rows"].format(count=t),
        annotation_position="top left",
    )
    one = len(y_rows) == 1
    rows_text = words["row"].format(row=y_rows[0]) if one else words["rows"].format(first=y_rows[0], last=y_rows[-1])
    if windows.task == "classification":
        label = words["class"].format(name=plot_text(windows.classes[int(part.y[sample])]))
    elif len(y_rows) == 1:
        label = f"{plot_text(target)} = {frame[target].iloc[y_rows[0]]:.4g}"
    else:
        label = plot_text(target)
    fig.add_trace(
        go.Scatter(
            x=y_rows,
            y=frame[column].iloc[y_rows],
            name=f"y: {label} ({rows_text})",
            mode="markers",
            marker=dict(color=COLOR_BROKEN, size=11, symbol="diamond"),
        )
    )
    title = words["title"].format(sample=sample, first=start, last=start + t - 1, rows=rows_text)
    fig.update_layout(title=title, xaxis_title=words["x_axis"], yaxis_title=plot_text(column), **_LAYOUT)
    fig.update_layout(legend=dict(orientation="h", y=-0.25, x=0), margin=dict(l=60, r=20, t=50, b=90))
    return fig


def _sequence_preview(frame: pd.DataFrame, windows, part, sample: int, column: str | None, words) -> go.Figure:
    c = windows.config
    seq_id, length, timesteps = part.ids[sample], int(part.lengths[sample]), windows.timesteps
    rows = np.flatnonzero((frame[c.sequence_id] == seq_id).to_numpy())
    if c.time_column is not None:
        rows = rows[np.argsort(frame[c.time_column].to_numpy()[rows], kind="stable")]
    rows = rows[-length:]  # the steps the model sees
    steps = np.arange(timesteps - length, timesteps)
    fig = go.Figure()
    for name in [column] if column else c.features:
        fig.add_trace(go.Scatter(x=steps, y=frame[name].to_numpy()[rows], name=plot_text(name), mode="lines+markers"))
    padding = timesteps - length
    if padding:
        fig.add_vrect(
            x0=-0.5,
            x1=padding - 0.5,
            fillcolor=COLOR_INPUT,
            opacity=0.2,
            line_width=0,
            annotation_text=words["padding"],
            annotation_position="top left",
        )
    if windows.task == "classification":
        label = windows.classes[int(part.y[sample])]
    else:
        label = f"{frame[c.targets[0]].to_numpy()[rows[-1]]:.4g}"
    fig.add_vline(
        x=timesteps - 1,
        line=dict(color=COLOR_BROKEN, dash="dot"),
        annotation_text=f"y = {plot_text(label)}",
        annotation_position="top left",
    )
    title = words["sequence_title"].format(
        sample=sample,
        sequence=plot_text(seq_id),
        length=length,
        timesteps=timesteps,
        label=plot_text(label),
        row=rows[-1],
    )
    fig.update_layout(title=title, xaxis_title=words["timestep_axis"], yaxis_title=words["value"], **_LAYOUT)
    fig.update_xaxes(range=[-0.5, timesteps - 0.5])
    return fig
