"""Train: settings, then a training job in a worker process; a live view (progress, loss curves, Stop) that
survives page switches, and when it ends, metrics against baselines, predictions and downloads."""

import streamlit as st

from pages import serve_through_app
from pages.ui import train as ui
from pages.ui.frame import page_frame
from pages.ui.resources import inspector
from slstm import results, session
from slstm.i18n import restate, translator
from slstm.problems import validate
from slstm.text import escape_markdown

serve_through_app()

f = page_frame()
ss = st.session_state
_ = translator(f.lang)
f.pool.pump()  # take in the workers' latest events now rather than at the pump thread's next tick
if f.pool.store_error:
    st.warning(f.pool.store_error)
st.title(_("train.title"))
windows, spec = f.windows, f.spec

config = ui.settings(f)
if config is not None:
    session.set_train_config(ss, config)
problems = [p for p in validate(spec, windows.shape, lang=f.lang) if p.is_error] if windows else []
active = ss.get("active_run")
if active is not None and f.store.get(active) is None:  # the run started here was deleted since
    active = ss["active_run"] = None
busy = active is not None and f.pool.get(active) is not None and not f.pool.get(active).done
if windows is None:
    st.error(escape_markdown(_("train.no_data", error=f.data.error)))
elif problems:
    st.error(_("train.cannot_train", problem=problems[0].message))
    st.page_link("pages/architecture.py", label=_("train.fix_it"), icon=":material/stacks:")
else:
    st.write(escape_markdown(_("train.ready", spec=spec.short(), data=f.data.name, shape=windows.input_shape)))
    if st.button(_("train.train"), type="primary", key="train", disabled=busy or config is None):
        if ui.start(f, config):
            st.rerun()  # redraw with Train disabled and the live view running

runs = f.store.list_runs(f.ws)
shown = active or (runs[0].id if runs else None)
if shown is None:
    st.caption(_("train.no_runs"))
    st.stop()
every = ui.poll_every(f.pool.get(shown), f.store.get(shown))
if every:
    ss["watching"] = shown
st.fragment(ui.live_view, run_every=every)(f, shown)
run = f.store.get(shown)
if run is None:  # deleted while this page was drawn
    st.info(_("train.deleted"))
    st.stop()
if run.status == "failed":
    st.error(escape_markdown(restate(run.message, f.lang, "jobs")))
if not run.metrics or busy:
    st.stop()

inspector().warm()  # Inspect is the next step: its process starts importing Keras now, away from the server
st.subheader(_("train.how_good"))
st.caption(_("train.how_good_caption"))
same_data = windows is not None and results.config_dict(windows.config) == run.data_config
ui.judgement(f, run, same_data)
ui.predictions(f, run, same_data)
ui.download_buttons(f, run)
