"""Figures for comparing runs: overlaid loss curves, a metric against baselines, the depth-width sweep.

Every builder takes `labels`, the figure's words (i18n.labels("compare.fig_<figure>", lang)); English by default."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from slstm.i18n import labels as catalog_labels
from slstm.text import plot_text

_LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), height=380)


def _words(labels: Mapping[str, str] | None, figure: str) -> Mapping[str, str]:
    return labels or catalog_labels(f"compare.fig_{figure}")


def overlaid_curves(
    histories: dict[str, dict], *, by: str = "epoch", log: bool = False, labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Train (solid) and validation (dashed) loss of several runs; x is the epoch or elapsed seconds."""
    words = _words(labels, "curves")
    fig = go.Figure()
    for i, (name, history) in enumerate(histories.items()):
        color = qualitative.Plotly[i % len(qualitative.Plotly)]
        x = history.get("epoch", [])
        if by == "time":
            x = list(np.cumsum([s or 0 for s in history.get("seconds", [])]))
        for key, dash, label in (("loss", "solid", words["train"]), ("val_loss", "dash", words["validation"])):
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
        title=words["title"],
        xaxis_title=words["seconds"] if by == "time" else words["epoch"],
        yaxis_title=words["loss"],
        **_LAYOUT,
    )
    if log:
        fig.update_yaxes(type="log")
    if by == "epoch":
        longest = max((len(h.get("epoch", [])) for h in histories.values()), default=1)
        fig.update_xaxes(tick0=1, dtick=max(1, longest // 10))  # whole epochs only
    return fig


def metric_bars(table: pd.DataFrame, metric: str, *, labels: Mapping[str, str] | None = None) -> go.Figure:
    """The chosen test metric per run (a column of compare.runs_table, "test rmse" or "test accuracy") beside its
    best naive baseline. The words name the metric under "metric.<column with _ for spaces>"."""
    words = _words(labels, "metric")
    shown = words.get(f"metric.{metric.replace(' ', '_')}", metric)
    names = [plot_text(name) for name in table["name"]]  # tick labels read HTML too
    fig = go.Figure(
        [
            go.Bar(x=names, y=table[metric], name=words["model"]),
            go.Bar(x=names, y=table["best baseline"], name=words["baseline"], marker_color="#bbbbbb"),
        ]
    )
    title = words["title"].format(metric=shown)
    fig.update_layout(title=title, barmode="group", yaxis_title=shown, **_LAYOUT)
    return fig


def sweep_chart(results: pd.DataFrame, *, x: str = "depth", labels: Mapping[str, str] | None = None) -> go.Figure:
    """Best validation loss against depth (one line per width) or against parameter count."""
    words = _words(labels, "sweep")
    fig = go.Figure()
    done = results.dropna(subset=["best val_loss"])
    hover = words["hover"].format(depth="%{customdata[0]}", units="%{customdata[1]}") + "<extra></extra>"
    for i, (units, part) in enumerate(done.groupby("units")):
        part = part.sort_values(x)
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part["best val_loss"],
                name=words["width"].format(units=units),
                mode="lines+markers",
                line=dict(color=qualitative.Plotly[i % len(qualitative.Plotly)]),
                hovertemplate=hover,
                customdata=part[["depth", "units"]].to_numpy(),
            )
        )
    fig.update_layout(
        title=words["title_depth"] if x == "depth" else words["title_params"],
        xaxis_title=words["depth"] if x == "depth" else words["params"],
        yaxis_title=words["loss"],
        **_LAYOUT,
    )
    if x == "depth":
        fig.update_xaxes(dtick=1)
    else:
        fig.update_xaxes(type="log")
    return fig
