"""Stacked LSTM Explorer core: specs, shapes, data, models, training, plots. Never imports streamlit."""

__version__ = "0.1.0"
