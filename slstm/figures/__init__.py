"""Figures: plain data in, a plotly Figure out, labels from the catalogs. `charts` (series, windows, shape
flow, loss curves, predictions), `inspect` (layer outputs, gates, a prediction forming), `compare` (runs side
by side, sweeps) and `room` (a class experiment's grid)."""
