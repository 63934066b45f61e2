"""Compare: the workspace's runs side by side (only what differs, curves, metric against baselines), and a
depth-against-width sweep on the current data."""

import streamlit as st

from pages import serve_through_app
from pages.ui import compare as ui
from pages.ui.frame import page_frame
from slstm import compare, session
from slstm.errors import SlstmError
from slstm.i18n import translator
from slstm.results import config_dict
from slstm.text import escape_markdown

serve_through_app()

f = page_frame()
ss = st.session_state
_ = translator(f.lang)
f.pool.pump()
st.title(_("compare.title"))
if message := ss.pop("delete_message", None):
    st.success(escape_markdown(message))
runs = f.store.list_runs(f.ws)
histories = {r.id: f.store.history(r.id) for r in runs}

if not runs:
    st.info(_("compare.no_runs"))
else:
    chosen = ui.runs_ui(f, runs, histories)
    if len(chosen) >= 2:
        ui.differences(f, chosen)
    if chosen:
        ui.curves(f, chosen, histories)

st.divider()
st.subheader(_("compare.sweep"))
st.write(_("compare.sweep_intro"))
depths, widths, epochs, patience = ui.sweep_grid(f, runs)
windows = f.windows
if windows is None:
    st.error(escape_markdown(_("compare.no_data", error=f.data.error)))
    st.stop()
try:  # the Train page's batch size (None: fitted to the data) and learning rate
    chosen = session.train_config(ss)
    train = compare.sweep_config(chosen, epochs=epochs, patience=patience, windows=windows)
except SlstmError as exc:
    st.error(exc.text(f.lang))
    st.stop()
fingerprint = compare.fingerprint(config_dict(windows.config), train.to_dict())
planned = compare.plan_sweep(sorted(depths), sorted(widths), fingerprint=fingerprint)
if st.button(_("compare.run_sweep", count=len(planned)), type="primary", key="run_sweep", disabled=not planned):
    ui.submit_sweep(f, planned, train)

if planned or any(r.train_config.get("sweep") for r in runs):
    live = any(r.train_config.get("sweep_cell") and r.status in ("queued", "running") for r in runs)
    st.fragment(ui.sweep_view, run_every=2 if live else None)(f, planned, fingerprint)
