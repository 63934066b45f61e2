"""The class grid as a figure: one square per cell, coloured by its best validation loss, with the state of the
cells still training written in."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from slstm.i18n import labels as catalog_labels
from slstm.room_grid import Grid, axis_text


def grid_figure(
    grid: Grid,
    results: pd.DataFrame,
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """`labels`: the figure's words (i18n.labels("room.fig", lang)), English by default; `lang` names the axes'
    values the same way (room_grid.axis_text)."""
    words = labels or catalog_labels("room.fig")
    rows = [axis_text(grid.row_axis, v, lang) for v in grid.row_values]
    cols = [axis_text(grid.col_axis, v, lang) for v in grid.col_values]
    z = [[None] * len(cols) for _ in rows]
    text = [[""] * len(cols) for _ in rows]
    for _, cell in results.iterrows():
        i, j = divmod(int(cell["cell"]), len(cols))
        value = cell["best val_loss"]
        if pd.notna(value):
            z[i][j] = float(value)
            text[i][j] = f"{value:.4g}" + (f" ±{cell.spread / 2:.2g}" if pd.notna(cell.spread) else "")
        else:
            text[i][j] = words[f"state.{cell.state}"]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=cols,
            y=rows,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues_r",
            hoverongaps=False,
            colorbar=dict(title=words["colorbar"]),
            xgap=3,
            ygap=3,
        )  # fmt: skip
    )
    fig.update_layout(
        template="plotly_white",
        title=title or words["title"],
        height=120 + 90 * len(rows),
        margin=dict(l=90, r=20, t=50, b=50),
    )
    fig.update_yaxes(autorange="reversed")
    return fig
