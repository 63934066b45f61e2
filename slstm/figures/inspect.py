"""Figures for the Inspect page: arrays from slstm.inspect in, plotly Figures out (no computation worth testing
beyond the picture). Time runs left to right on every figure that has it; units are numbered from 0.

Every builder takes `labels`, the figure's words (i18n.labels("inspect.fig_<figure>", lang)); English by default."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from slstm.figures.charts import COLOR_2D, COLOR_BROKEN
from slstm.i18n import labels as catalog_labels
from slstm.text import plot_text

DIVERGING = "RdBu_r"  # negative blue, zero white, positive red
GATE_SCALE = "Viridis"  # sigmoid gates: 0 closed .. 1 open
_LAYOUT = dict(template="plotly_white", margin=dict(l=70, r=20, t=60, b=50))


def _words(labels: Mapping[str, str] | None, figure: str) -> Mapping[str, str]:
    return labels or catalog_labels(f"inspect.fig_{figure}")


def _hover(words: Mapping[str, str]) -> str:
    """A heatmap cell's hover: timestep, unit and value in the figure's words."""
    return f"{words['timestep']} %{{x}}<br>{words['unit']} %{{y}}<br>{words['value']} %{{z:.4g}}<extra></extra>"


def _bar_hover(words: Mapping[str, str]) -> str:
    return f"{words['unit']} %{{x}}<br>{words['value']} %{{y:.4g}}<extra></extra>"


def _heatmap(
    values: np.ndarray, words: Mapping[str, str], *, signed: bool, zrange: tuple[float, float] | None = None, **options
) -> go.Heatmap:
    values = np.asarray(values, dtype=float)  # (timesteps, units)
    steps, units = values.shape
    scale = dict(colorscale=DIVERGING, zmid=0.0) if signed else dict(colorscale=GATE_SCALE)
    if zrange is not None:
        scale.update(zmin=zrange[0], zmax=zrange[1])
    return go.Heatmap(
        z=values.T, x=np.arange(steps), y=np.arange(units), hovertemplate=_hover(words), **scale, **options
    )  # z is (units, timesteps): units up the y-axis


def _unit_axis(units: int) -> dict:
    return dict(autorange="reversed", dtick=1 if units <= 10 else None)  # unit 0 on top, as in a table


def _row_height(units: int) -> float:
    return float(np.clip(50 + 8 * units, 100, 240))  # pixels for a (timesteps, units) heatmap row


def input_window(
    x_sample: np.ndarray, feature_names: Sequence[str], *, labels: Mapping[str, str] | None = None
) -> go.Figure:
    """One sample's input (timesteps, features): every feature over the timesteps the model reads."""
    words = _words(labels, "input")
    x_sample = np.asarray(x_sample)
    if x_sample.ndim != 2 or x_sample.shape[1] != len(feature_names):
        raise ValueError(f"Expected (timesteps, {len(feature_names)} features); received shape {x_sample.shape}.")
    steps = np.arange(x_sample.shape[0])
    fig = go.Figure()
    for j, name in enumerate(feature_names):
        fig.add_trace(go.Scatter(x=steps, y=x_sample[:, j], name=plot_text(name), mode="lines+markers"))
    title = words["title"].format(timesteps=x_sample.shape[0], features=x_sample.shape[1])
    fig.update_layout(title=title, xaxis_title=words["timestep"], yaxis_title=words["value"], height=320, **_LAYOUT)
    return fig


def sequence_heatmap(
    values: np.ndarray,
    *,
    title: str,
    signed: bool = True,
    zrange: tuple[float, float] | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """A (timesteps, units) array as a heatmap: time on x, unit on y; diverging colours centred at 0 when signed."""
    words = _words(labels, "heatmap")
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"Expected a (timesteps, units) array; received shape {values.shape}.")
    bar = dict(title=words["value"], thickness=14)
    fig = go.Figure(_heatmap(values, words, signed=signed, zrange=zrange, colorbar=bar))
    height = int(np.clip(140 + 14 * values.shape[1], 260, 620))
    fig.update_layout(title=title, xaxis_title=words["timestep"], yaxis_title=words["unit"], height=height, **_LAYOUT)
    fig.update_yaxes(**_unit_axis(values.shape[1]))
    return fig


def vector_bars(values: np.ndarray, *, title: str, note: str, labels: Mapping[str, str] | None = None) -> go.Figure:
    """A 2D layer's output for one sample, (units,): one bar per unit; `note` says why it has no time axis."""
    words = _words(labels, "bars")
    values = np.asarray(values, dtype=float).ravel()
    units = np.arange(len(values))
    fig = go.Figure(go.Bar(x=units, y=values, marker_color=COLOR_2D, hovertemplate=_bar_hover(words)))
    fig.update_layout(
        title=dict(text=title, subtitle=dict(text=note)),
        xaxis_title=words["unit"],
        yaxis_title=words["value"],
        height=300,
    )
    fig.update_layout(**_LAYOUT)
    fig.update_xaxes(dtick=1 if len(values) <= 32 else None)
    return fig


def _colorbar(fig: go.Figure, row: int, title: str = "") -> dict:
    """A colour bar beside subplot `row` (1-based), as tall as it."""
    low, high = fig.layout[f"yaxis{'' if row == 1 else row}"].domain
    return dict(y=(low + high) / 2, len=high - low, yanchor="middle", thickness=12, title=title)


def _stacked(titles: Sequence[str], heights: Sequence[float], *, shared_x: bool) -> go.Figure:
    gap_px = 58 if shared_x else 100  # room for each subplot title (and, unshared, an x-axis title)
    total = sum(heights) + gap_px * len(heights) + 80
    return make_subplots(
        rows=len(titles),
        cols=1,
        shared_xaxes=shared_x,
        subplot_titles=list(titles),
        row_heights=list(heights),
        vertical_spacing=min(gap_px / total, 0.9 / max(1, len(titles) - 1)),
    ).update_layout(height=int(total))


def gates_figure(
    internals: Mapping[str, np.ndarray],
    *,
    sample: int = 0,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Small multiples of one direction of a recurrent layer: a heatmap per gate, the candidate, cell and hidden.

    `internals` is a dict from lstm_internals / gru_internals (or one of its "forward"/"backward" halves); arrays
    are (batch, timesteps, units), of which `sample` is shown, or already (timesteps, units). Gates are drawn on
    0..1, everything else with diverging colours centred at 0. NaN (masked steps) stays blank. `labels`:
    i18n.labels("inspect.fig_gates", lang), with a subplot title per internals key under "panel.".
    """
    words = _words(labels, "gates")
    if "forward" in internals:
        raise ValueError('A Bidirectional layer has two directions: pass internals["forward"] or ["backward"].')
    panels = {k: np.asarray(v) for k, v in internals.items()}
    panels = {k: v[sample] if v.ndim == 3 else v for k, v in panels.items()}  # (timesteps, units)
    steps, units = next(iter(panels.values())).shape
    titles = [words.get(f"panel.{k}", k.replace("_", " ")) for k in panels]
    fig = _stacked(titles, [_row_height(units)] * len(panels), shared_x=True)
    for row, (key, values) in enumerate(panels.items(), start=1):
        gate = key.endswith("_gate")
        heatmap = _heatmap(values, words, signed=not gate, zrange=(0.0, 1.0) if gate else None)
        fig.add_trace(heatmap.update(colorbar=_colorbar(fig, row)), row=row, col=1)
        fig.update_yaxes(title_text=words["unit"], row=row, col=1, **_unit_axis(units))
    fig.update_xaxes(title_text=words["timestep"], row=len(panels), col=1)
    fig.update_layout(title=title or words["title"].format(units=units, steps=steps), **_LAYOUT)
    fig.update_layout(margin=dict(t=80))
    return fig


def layer_stack(
    outputs: Mapping[str, np.ndarray], sample: int, *, labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Every layer's output for one sample, one row per layer from the input side down to the output.

    3D outputs (batch, timesteps, units) are heatmaps on a shared time axis; 2D outputs (batch, units), one
    vector per sample, are bars over their units.
    """
    words = _words(labels, "stack")
    rows = {name: np.asarray(v)[sample] for name, v in outputs.items()}
    titles, heights = [], []
    for name, v in rows.items():
        if v.ndim == 2:
            titles.append(words["row_3d"].format(name=plot_text(name), units=v.shape[1]))
            heights.append(_row_height(v.shape[1]))
        else:
            titles.append(words["row_2d"].format(name=plot_text(name), units=v.shape[0]))
            heights.append(120.0)
    fig = _stacked(titles, heights, shared_x=False)
    first_3d = None
    for row, v in enumerate(rows.values(), start=1):
        if v.ndim == 2:  # (timesteps, units)
            fig.add_trace(_heatmap(v, words, signed=True).update(colorbar=_colorbar(fig, row)), row=row, col=1)
            fig.update_yaxes(title_text=words["unit"], row=row, col=1, **_unit_axis(v.shape[1]))
            axis = "x" if row == 1 else f"x{row}"
            first_3d = first_3d or axis
            matches = None if axis == first_3d else first_3d
            fig.update_xaxes(title_text=words["timestep"], matches=matches, row=row, col=1)
        else:  # (units,)
            bar = go.Bar(x=np.arange(len(v)), y=v, marker_color=COLOR_2D, hovertemplate=_bar_hover(words))
            fig.add_trace(bar, row=row, col=1)
            fig.update_yaxes(title_text=words["value"], row=row, col=1)
            ticks = list(range(len(v))) if len(v) <= 32 else None
            fig.update_xaxes(title_text=words["unit"], tickvals=ticks, row=row, col=1)
            fig.update_xaxes(range=[-0.5, max(len(v), 8) - 0.5], row=row, col=1)  # one unit: a bar, not a wall
    fig.update_layout(title=words["title"].format(sample=sample), showlegend=False, **_LAYOUT)
    fig.update_layout(margin=dict(t=80))
    return fig


def prediction_over_time(
    values: np.ndarray,
    target: float | Sequence[float] | np.ndarray | None = None,
    *,
    names: Sequence[str] | None = None,
    unit: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """The prediction as it forms: head_over_time for one sample, (timesteps, outputs), with the target dashed.
    `unit` is the y-axis title (the words' "prediction (scaled)" if None)."""
    words = _words(labels, "forming")
    values = np.asarray(values, dtype=float)
    values = values[:, None] if values.ndim == 1 else values  # (timesteps, outputs)
    steps, count = values.shape
    names = list(names) if names is not None else [words["output"].format(number=j) for j in range(count)]
    targets = None if target is None else np.broadcast_to(np.asarray(target, dtype=float).ravel(), (count,))
    fig = go.Figure()
    palette = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    for j in range(count):
        color = palette[j % len(palette)]
        name = plot_text(names[j])
        hover = f"{words['timestep']} %{{x}}<br>{name} %{{y:.4g}}<extra></extra>"
        line = go.Scatter(x=np.arange(steps), y=values[:, j], name=name, mode="lines+markers", hovertemplate=hover)
        fig.add_trace(line.update(line=dict(color=color), marker=dict(size=5)))
        if targets is not None:
            fig.add_trace(
                go.Scatter(
                    x=[0, steps - 1],
                    y=[targets[j]] * 2,
                    name=words["target_of"].format(name=name) if count > 1 else words["target"],
                    mode="lines",
                    line=dict(color=COLOR_BROKEN if count == 1 else color, dash="dash"),
                    hovertemplate=f"{words['target']} {targets[j]:.4g}<extra></extra>",
                )
            )
    title = dict(text=words["title"], subtitle=dict(text=words["subtitle"]))
    y_title = words["y_axis"] if unit is None else plot_text(unit)
    fig.update_layout(title=title, xaxis_title=words["timestep"], yaxis_title=y_title, height=340, **_LAYOUT)
    return fig


def unit_lines(
    values: np.ndarray, units: Sequence[int], *, title: str, labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Chosen units of a (timesteps, units) output as lines over time."""
    words = _words(labels, "lines")
    values = np.asarray(values, dtype=float)
    fig = go.Figure(
        [
            go.Scatter(
                x=np.arange(len(values)),
                y=values[:, u],
                name=words["unit_name"].format(unit=u),
                mode="lines+markers",
                hovertemplate=f"{words['unit_name'].format(unit=u)}<br>{words['timestep']} %{{x}}<br>"
                f"{words['value']} %{{y:.4g}}<extra></extra>",
            )
            for u in units
        ]
    )
    fig.update_layout(
        title=title,
        xaxis_title=words["timestep"],
        yaxis_title=words["value"],
        template="plotly_white",
        height=300,
        margin=dict(l=60, r=20, t=50, b=50),
    )
    return fig
