"""Figures for comparing runs: overlaid loss curves, a metric against baselines, the depth-width sweep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from slstm.text import plot_text

_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), height=380)


def overlaid_curves(histories: dict[str, dict], *, by: str = "epoch", log: bool = False) -> go.Figure:
    """Train (solid) and validation (dashed) loss of several runs; x is the epoch or elapsed seconds."""
    fig = go.Figure()
    for i, (name, history) in enumerate(histories.items()):
        color = qualitative.Plotly[i % len(qualitative.Plotly)]
        x = history.get("epoch", [])
        if by == "time":
            x = list(np.cumsum([s or 0 for s in history.get("seconds", [])]))
        for key, dash, label in (("loss", "solid", "train"), ("val_loss", "dash", "validation")):
            if history.get(key):
                fig.add_trace(
                    go.Scatter(
                        x=x,
                        y=history[key],
                        name=f"{plot_text(name)} · {label}",
                        mode="lines",
                        line=dict(color=color, dash=dash),
                        legendgroup=plot_text(name),
                    )
                )
    fig.update_layout(
        title="Loss curves",
        xaxis_title="seconds" if by == "time" else "epoch",
        yaxis_title="loss (scaled units)",
        **_LAYOUT,
    )
    if log:
        fig.update_yaxes(type="log")
    if by == "epoch":
        longest = max((len(h.get("epoch", [])) for h in histories.values()), default=1)
        fig.update_xaxes(tick0=1, dtick=max(1, longest // 10))  # whole epochs only
    return fig


def metric_bars(table: pd.DataFrame, metric: str) -> go.Figure:
    """The chosen test metric per run beside its best naive baseline."""
    names = [plot_text(name) for name in table["name"]]  # tick labels read HTML too
    fig = go.Figure(
        [
            go.Bar(x=names, y=table[metric], name="model"),
            go.Bar(x=names, y=table["best baseline"], name="best baseline", marker_color="#bbbbbb"),
        ]
    )
    fig.update_layout(title=f"{metric} against the baseline", barmode="group", yaxis_title=metric, **_LAYOUT)
    return fig


def sweep_chart(results: pd.DataFrame, *, x: str = "depth") -> go.Figure:
    """Best validation loss against depth (one line per width) or against parameter count."""
    fig = go.Figure()
    done = results.dropna(subset=["best val_loss"])
    for i, (units, part) in enumerate(done.groupby("units")):
        part = part.sort_values(x)
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part["best val_loss"],
                name=f"{units} units",
                mode="lines+markers",
                line=dict(color=qualitative.Plotly[i % len(qualitative.Plotly)]),
                hovertemplate="depth %{customdata[0]}, %{customdata[1]} units<br>val_loss %{y:.4g}<extra></extra>",
                customdata=part[["depth", "units"]].to_numpy(),
            )
        )
    title = "Best validation loss by depth" if x == "depth" else "Best validation loss by parameter count"
    fig.update_layout(
        title=title,
        xaxis_title="recurrent layers" if x == "depth" else "parameters",
        yaxis_title="best val_loss",
        **_LAYOUT,
    )
    if x == "depth":
        fig.update_xaxes(dtick=1)
    else:
        fig.update_xaxes(type="log")
    return fig
