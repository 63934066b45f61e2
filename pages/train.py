"""Train: settings, then a training job in a worker process; a live view (progress, loss curves, Stop) that
survives page switches, and when it ends, metrics against baselines, predictions and downloads."""

import json
import time

import streamlit as st

from pages import serve_through_app
from slstm import downloads, limits, plots, results, session
from slstm.errors import SlstmError
from slstm.i18n import labels, restate, t, translator
from slstm.jobs import JobInputs
from slstm.problems import check_job, cudnn_notes, validate
from slstm.text import escape_markdown
from slstm.train import AUTO_BATCH, OPTIMIZERS, TrainConfig, auto_batch
from slstm.verdict import verdict

serve_through_app()

ss = st.session_state
lang = ss["lang"]
_ = translator(lang)
store, pool = ss["run_store"], ss["job_pool"]
pool.pump()  # take in the workers' latest events now rather than at the pump thread's next tick
if pool.store_error:
    st.warning(pool.store_error)
st.title(_("train.title"))
windows, spec = ss.get("windows"), ss["spec"]


DEFAULTS = TrainConfig()  # early stopping on val_loss with the best weights restored, and an epoch budget for it


def settings_ui() -> TrainConfig | None:
    c = st.columns(4)
    epochs = c[0].number_input(
        _("train.epochs"), 1, limits.MAX_EPOCHS, value=DEFAULTS.epochs, key="epochs", persist_state="session"
    )
    batch = c[1].number_input(
        _("train.batch_size"),
        1,
        4096,
        value=None,
        placeholder=_("train.batch_auto", size=auto_batch(len(windows.train)) if windows is not None else AUTO_BATCH),
        key="batch_size",
        persist_state="session",
        help=_("train.batch_help"),
    )
    lr = c[2].number_input(
        _("train.learning_rate"),
        1e-5,
        1.0,
        value=1e-3,
        step=1e-4,
        format="%.4f",
        key="learning_rate",
        persist_state="session",
    )
    optimizer = c[3].selectbox(_("train.optimizer"), OPTIMIZERS, key="optimizer", persist_state="session")
    with st.expander(_("train.more")):
        c = st.columns(3)
        patience = c[0].number_input(
            _("train.patience"),
            0,
            100,
            value=DEFAULTS.patience or 0,
            key="patience",
            persist_state="session",
            help=_("train.patience_help"),
        )
        clipnorm = c[1].number_input(
            _("train.clipnorm"),
            0.0,
            100.0,
            value=0.0,
            step=0.5,
            key="clipnorm",
            persist_state="session",
            help=_("train.clipnorm_help"),
        )
        seed = c[2].number_input(_("train.seed"), 0, 2**31 - 1, value=0, key="seed", persist_state="session")
    try:
        return TrainConfig(
            epochs=int(epochs),
            batch_size=int(batch) if batch is not None else None,
            learning_rate=float(lr),
            optimizer=optimizer,
            seed=int(seed),
            clipnorm=float(clipnorm) or None,
            patience=int(patience) or None,
        )
    except SlstmError as exc:
        st.error(exc.text(lang))
        return None


def start(config: TrainConfig) -> None:
    config = config.resolved(len(windows.train))
    try:
        check_job(spec, windows, config.epochs, lang=lang)  # the server's budgets, before anything is recorded
        pool.check_quota(ss["ws"])  # before the run is recorded; submit checks again
    except SlstmError as exc:
        st.error(exc.text(lang))
        return
    run = store.create_run(
        workspace=ss["ws"],
        spec=spec.to_dict(),
        data_config=results.config_dict(windows.config),
        train_config=config.to_dict(),  # the batch size chosen for these windows, as it will train
        name=ss.get("run_name") or "",
        default_name=_("train.run_name"),
    )
    try:
        pool.submit(
            JobInputs(run.id, ss["ws"], ss["frame"], windows.config, spec, config, test_frame=ss.get("test_frame"))
        )
    except SlstmError as exc:
        st.error(exc.text(lang))
    ss["active_run"] = run.id


def live_view(run_id: str) -> None:
    """Progress, curves and Stop; reruns itself every second while the job is alive."""
    job, run = pool.get(run_id), store.get(run_id)
    if run is None:  # deleted meanwhile (e.g. on Compare): redraw the page without it
        if ss.get("watching") == run_id:
            ss["watching"] = None
            st.rerun()
        return
    history = store.history(run_id)
    if job is not None and not job.done:
        pool.touch(run_id)
        total = job.epochs
        if job.status == "queued":
            st.info(escape_markdown(_("train.queued", name=run.name, position=pool.position(run_id))))
        else:
            now = results.progress(job, history["seconds"], time.time())
            text = _("train.progress", epoch=now.epoch, total=total, batch=job.batch, steps=job.steps or "?")
            text += _("train.elapsed", elapsed=results.duration(now.elapsed, lang=lang))
            if now.left is not None:
                text += _("train.left", left=results.duration(now.left, lang=lang))
            if job.status == "running":
                st.progress(now.fraction, text=_("train.on_device", text=text, device=job.device or "CPU"))
                if job.device.startswith("GPU"):
                    notes = cudnn_notes(job.spec, lang=lang)
                    st.caption(" ".join(notes) if notes else _("train.cudnn_all"))
            elif job.ended_here:  # over; its end is still being written to the store
                st.progress(1.0, text=_("train.saving", text=text))
            else:
                st.progress(0.0, text=_("train.starting"))
        st.button(
            _("train.stop"),
            key="stop",
            icon=":material/stop_circle:",
            on_click=pool.stop,
            args=(run_id,),
            help=_("train.stop_help"),
        )
    elif ss.get("watching") == run_id:  # it just ended: redraw the whole page with its results
        ss["watching"] = None
        st.rerun()
    if history["epoch"]:
        st.plotly_chart(plots.loss_curve(history, labels=labels("plots.loss", lang)), key="loss_chart")
    said = {
        "name": run.name,
        "status": _(f"common.status.{run.status}"),
        "epochs": _("common.epochs", count=run.epochs_done),
    }
    if run.message and run.message != t("jobs.finished", "en"):  # "finished · Finished." would say it twice
        line = _("train.run_line", **said, message=restate(run.message, lang, "jobs"))
    else:
        line = _("train.run_line_plain", **said)
    st.caption(escape_markdown(line))


config = settings_ui()
if config is not None:
    session.set_train_config(ss, config)
problems = (
    [
        p
        for p in validate(
            spec,
            windows.shape,
            lang=lang,
        )
        if p.is_error
    ]
    if windows
    else []
)
active = ss.get("active_run")
if active is not None and store.get(active) is None:  # the run started here was deleted since
    active = ss["active_run"] = None
busy = active is not None and pool.get(active) is not None and not pool.get(active).done
if windows is None:
    st.error(escape_markdown(_("train.no_data", error=ss["data_error"])))
elif problems:
    st.error(_("train.cannot_train", problem=problems[0].message))
    st.page_link("pages/architecture.py", label=_("train.fix_it"), icon=":material/stacks:")
else:
    st.write(escape_markdown(_("train.ready", spec=spec.short(), data=ss["data_name"], shape=windows.input_shape)))
    if st.button(_("train.train"), type="primary", key="train", disabled=busy or config is None):
        start(config)
        st.rerun()  # redraw with Train disabled and the live view running

runs = store.list_runs(ss["ws"])
shown = active or (runs[0].id if runs else None)
if shown is None:
    st.caption(_("train.no_runs"))
    st.stop()
if busy:
    ss["watching"] = shown
st.fragment(live_view, run_every=1 if busy else None)(shown)
run = store.get(shown)
if run is None:  # deleted while this page was drawn
    st.info(_("train.deleted"))
    st.stop()
if run.status == "failed":
    st.error(escape_markdown(restate(run.message, lang, "jobs")))
if not run.metrics or busy:
    st.stop()

st.subheader(_("train.how_good"))
st.caption(_("train.how_good_caption"))
same_data = windows is not None and results.config_dict(windows.config) == run.data_config
judged = verdict(
    run.metrics,
    store.history(run.id),
    data_config=run.data_config,
    train_samples=len(windows.train) if same_data else None,
    depth=len(run.spec.get("layers", [])),
    lang=lang,
)
verdict_box = st.success if judged["beats"] and all(judged["beats"].values()) else st.warning
verdict_box(escape_markdown(judged["text"]), icon=":material/gavel:")
for split, title in (("val", _("train.validation")), ("test", _("train.test"))):
    if split in run.metrics:
        st.write(f"**{title}**")
        st.dataframe(results.metric_table(run.metrics[split], lang=lang).style.format("{:.4g}"))
        if "confusion" in run.metrics[split]:
            st.dataframe(results.confusion_table(run.metrics[split], lang=lang))
folder = store.run_dir(run.id)
predictions = results.load_predictions(folder)
if same_data:
    predictions = results.predictions_in_units(predictions, windows)
targets = tuple(run.data_config.get("targets", ()))
if "test_pred" in predictions and run.metrics.get("task") != "classification":
    st.plotly_chart(
        plots.predictions(
            predictions["test_truth"],
            predictions["test_pred"],
            unit=", ".join(targets) or None,
            labels=labels("plots.predictions", lang),
        ),
        key="pred_chart",
    )
c = st.columns(4)
if (folder / "model.keras").exists():  # the downloads are built when clicked, not on every rerun
    c[0].download_button(
        _("train.dl_model"), downloads.model(folder), f"{run.name}.keras", key="dl_model", on_click="ignore"
    )
c[1].download_button(
    _("train.dl_spec"), json.dumps(run.spec), "spec.json", "application/json", key="dl_spec", on_click="ignore"
)
c[2].download_button(
    _("train.dl_history"),
    downloads.history(store, run.id),
    "history.csv",
    "text/csv",
    key="dl_history",
    on_click="ignore",
)
c[3].download_button(
    _("train.dl_predictions"),
    downloads.predictions(folder, targets),
    "predictions.csv",
    "text/csv",
    key="dl_predictions",
    on_click="ignore",
)
