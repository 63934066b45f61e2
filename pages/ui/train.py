"""The Train page's sections: the training settings, starting a run, the live view of a job (progress, curves,
Stop), and a finished run's verdict, metrics, predictions and downloads."""

from __future__ import annotations

import json
import time

import streamlit as st

from pages.ui.frame import Frame
from slstm import downloads, limits, results
from slstm.errors import SlstmError
from slstm.figures import charts as plots
from slstm.i18n import labels, restate, t, translator
from slstm.jobs import JobInputs
from slstm.problems import check_job, cudnn_notes
from slstm.runs import Run
from slstm.text import escape_markdown
from slstm.train import (
    AUTO_BATCH,
    AUTO_PATIENCE,
    FEW_VAL_SEQUENCES,
    OPTIMIZERS,
    TrainConfig,
    auto_batch,
    auto_patience,
    task_of,
)
from slstm.verdict import verdict

DEFAULTS = TrainConfig()  # early stopping on val_loss with the best weights restored, and an epoch budget for it


def settings(f: Frame) -> TrainConfig | None:
    """The training settings (epochs, batch, learning rate, optimizer; more in an expander), or None if invalid."""
    _, windows = translator(f.lang), f.windows
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
        auto = auto_patience(task_of(windows), len(windows.val)) if windows is not None else AUTO_PATIENCE
        patience = c[0].number_input(
            _("train.patience"),
            0,
            100,
            value=None,
            placeholder=_("train.patience_auto", value=auto or _("train.patience_auto_off")),
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
        config = TrainConfig(
            epochs=int(epochs),
            batch_size=int(batch) if batch is not None else None,
            learning_rate=float(lr),
            optimizer=optimizer,
            seed=int(seed),
            clipnorm=float(clipnorm) or None,
            patience="auto" if patience is None else int(patience) or None,
        )
    except SlstmError as exc:
        st.error(exc.text(f.lang))
        return None
    if patience is None and auto is None and windows is not None:
        why = _("train.patience_off", count=len(windows.val), limit=FEW_VAL_SEQUENCES, epochs=int(epochs))
        st.info(_("train.patience_off_ui", why=why), icon=":material/info:")
    return config


def start(f: Frame, config: TrainConfig) -> bool:
    """Record a run with these settings and hand it to the pool (after the server's budgets and the queue).
    False when the server refused it (the reason is shown)."""
    ss, windows, spec = st.session_state, f.windows, f.spec
    config = config.resolved(windows)
    try:
        check_job(spec, windows, config.epochs, lang=f.lang)  # the server's budgets, before anything is recorded
        f.pool.check_quota(f.ws)  # before the run is recorded; submit checks again
    except SlstmError as exc:
        st.error(exc.text(f.lang))
        return False
    run = f.store.create_run(
        workspace=f.ws,
        spec=spec.to_dict(),
        data_config=results.config_dict(windows.config),
        train_config=config.to_dict(),  # the batch size chosen for these windows, as it will train
        name=ss.get("run_name") or "",
        default_name=t("train.run_name", f.lang),
        data_choice=f.data.choice.to_dict() if f.data.choice else None,
    )
    ss["active_run"] = run.id
    try:
        f.pool.submit(JobInputs(run.id, f.ws, f.data.frame, windows.config, spec, config, test_frame=f.data.test_frame))
    except SlstmError as exc:  # the run is recorded as failed with this reason; say it now too
        st.error(exc.text(f.lang))
        return False
    return True


def _progress(f: Frame, job, run, history: dict) -> None:
    """A live job's place in the queue, or its progress bar (epoch, batch, time spent and left, device)."""
    _ = translator(f.lang)
    if job.status == "queued":
        st.info(escape_markdown(_("train.queued", name=run.name, position=f.pool.position(run.id))))
        return
    now = results.progress(job, history["seconds"], time.time())
    text = _("train.progress", epoch=now.epoch, total=job.epochs, batch=job.batch, steps=job.steps or "?")
    text += _("train.elapsed", elapsed=results.duration(now.elapsed, lang=f.lang))
    if now.left is not None:
        text += _("train.left", left=results.duration(now.left, lang=f.lang))
    if job.status == "running":
        st.progress(now.fraction, text=_("train.on_device", text=text, device=job.device or "CPU"))
        if job.device.startswith("GPU"):
            notes = cudnn_notes(job.spec, lang=f.lang)
            st.caption(" ".join(notes) if notes else _("train.cudnn_all"))
    elif job.ended_here:  # over; its end is still being written to the store
        st.progress(1.0, text=_("train.saving", text=text))
    else:
        st.progress(0.0, text=_("train.starting"))


LIVE = ("queued", "running")  # a run's stored statuses before its end


def poll_every(job, run: Run | None) -> int | None:
    """How often the live view redraws itself (seconds): every second while this server's pool trains the job,
    every 2 while it waits in the queue, every 3 while only the store says it is live (its end not seen here
    yet), else never. The store's word counts too so that a view drawn at any moment before the end is on record
    keeps polling until it is."""
    if job is not None and not job.done:
        return 2 if job.status == "queued" else 1
    return 3 if run is not None and run.status in LIVE else None


@st.cache_resource(max_entries=512, show_spinner=False)
def _curves(run_id: str, epochs_done: int, lang: str, _store) -> tuple[dict, object]:
    """A run's history and its loss figure, read and built once per stored epoch count (a live view ticks every
    second; the curve changes once an epoch). Shared read-only between sessions: never mutate them."""
    history = _store.history(run_id)
    return history, plots.loss_curve(history, labels=labels("plots.loss", lang)) if history["epoch"] else None


def live_view(f: Frame, run_id: str) -> None:
    """Progress, curves and Stop; reruns itself every second while the job is alive."""
    ss, _ = st.session_state, translator(f.lang)
    job, run = f.pool.get(run_id), f.store.get(run_id)
    if run is None:  # deleted meanwhile (e.g. on Compare): redraw the page without it
        if ss.get("watching") == run_id:
            ss["watching"] = None
            st.rerun()
        return
    history, figure = _curves(run_id, run.epochs_done, f.lang, f.store)
    if job is not None and not job.done:
        f.pool.touch(run_id)
        _progress(f, job, run, history)
        st.button(
            _("train.stop"),
            key="stop",
            icon=":material/stop_circle:",
            on_click=f.pool.stop,
            args=(run_id,),
            help=_("train.stop_help"),
        )
    elif ss.get("watching") == run_id and run.status not in LIVE:  # it just ended: redraw with its results
        ss["watching"] = None
        st.rerun()
    if figure is not None:
        st.plotly_chart(figure, key="loss_chart")
    said = {
        "name": run.name,
        "status": _(f"common.status.{run.status}"),
        "epochs": _("common.epochs", count=run.epochs_done),
    }
    if run.message and run.message != t("jobs.finished", "en"):  # "finished · Finished." would say it twice
        line = _("train.run_line", **said, message=restate(run.message, f.lang, "jobs"))
    else:
        line = _("train.run_line_plain", **said)
    st.caption(escape_markdown(line))


def judgement(f: Frame, run: Run, same_data: bool) -> None:
    """The verdict against the naive baselines, and each split's metric table (and confusion matrix)."""
    _, windows = translator(f.lang), f.windows
    judged = verdict(
        run.metrics,
        f.store.history(run.id),
        data_config=run.data_config,
        train_samples=len(windows.train) if same_data else None,
        depth=len(run.spec.get("layers", [])),
        lang=f.lang,
    )
    verdict_box = st.success if judged["beats"] and all(judged["beats"].values()) else st.warning
    verdict_box(escape_markdown(judged["text"]), icon=":material/gavel:")
    for split, title in (("val", _("train.validation")), ("test", _("train.test"))):
        if split in run.metrics:
            st.write(f"**{title}**")
            st.dataframe(results.metric_table(run.metrics[split], lang=f.lang).style.format("{:.4g}"))
            if "confusion" in run.metrics[split]:
                st.dataframe(results.confusion_table(run.metrics[split], lang=f.lang))


def predictions(f: Frame, run: Run, same_data: bool) -> None:
    """The test predictions against the truth, in the data's units where the run was trained on this data."""
    found = results.load_predictions(f.store.run_dir(run.id))
    if same_data:
        found = results.predictions_in_units(found, f.windows)
    if "test_pred" in found and run.metrics.get("task") != "classification":
        targets = tuple(run.data_config.get("targets", ()))
        st.plotly_chart(
            plots.predictions(
                found["test_truth"],
                found["test_pred"],
                unit=", ".join(targets) or None,
                labels=labels("plots.predictions", f.lang),
            ),
            key="pred_chart",
        )


def download_buttons(f: Frame, run: Run) -> None:
    """The model, its spec, its history and its predictions as files (built when clicked)."""
    _, folder, targets = translator(f.lang), f.store.run_dir(run.id), tuple(run.data_config.get("targets", ()))
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
        downloads.history(f.store, run.id),
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
