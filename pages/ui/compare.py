"""The Compare page's sections: the runs table (tick to compare or delete, rename in place) and the question
before deleting, what differs between the chosen runs and their curves, and a depth-against-width sweep."""

from __future__ import annotations

import hashlib

import streamlit as st

from pages.ui.frame import Frame
from slstm import compare
from slstm.compare import Cell
from slstm.errors import SlstmError
from slstm.figures import compare as compare_plots
from slstm.i18n import labels, translator
from slstm.runs import Run
from slstm.text import escape_markdown
from slstm.train import TrainConfig
from slstm.workspace import delete_runs

KEPT = {  # slstm.workspace.delete_runs' reasons for leaving a run, as catalog keys
    "already deleted": "compare.kept.gone",
    "not in this workspace": "compare.kept.elsewhere",
    "still stopping: try again in a few seconds": "compare.kept.stopping",
}


def words(figure: str, lang: str):
    """A figure's words in the page language (compare.fig_<figure>)."""
    return labels(f"compare.fig_{figure}", lang)


def runs_ui(f: Frame, runs: list[Run], histories: dict[str, dict]) -> list[Run]:
    """The runs table: tick runs to compare or to delete (nothing is ticked for deletion), edit names in place;
    returns the runs to compare. The ticks belong to this exact list of runs: when a run comes or goes (another
    tab, a sweep), the table starts afresh rather than moving a tick onto a neighbouring run."""
    ss, _, lang = st.session_state, translator(f.lang), f.lang
    table = compare.runs_table(runs, histories, lang=lang)
    table.insert(0, "compare", table.index < 3)
    table.insert(1, "delete", False)
    head = compare.runs_headers(table.columns, lang)  # the table keeps English keys; people read `head`
    tick, editable = (head["compare"], head["delete"]), (head["compare"], head["delete"], head["name"])
    # the ticks belong to this list of runs in this language (a language switch renames the columns)
    ss["runs_editor_key"] = hashlib.sha256(" ".join([lang, *(r.id for r in runs)]).encode()).hexdigest()[:16]
    edited = st.data_editor(
        table.drop(columns=["id"]).rename(columns=head),
        key=ss["runs_editor_key"],
        hide_index=True,
        width="stretch",
        disabled=[c for c in head.values() if c not in editable],
        column_config={
            tick[0]: st.column_config.CheckboxColumn(width="small", help=_("compare.compare_help")),
            tick[1]: st.column_config.CheckboxColumn(width="small", help=_("compare.delete_help")),
        },
    )
    for run, name in zip(runs, edited[head["name"]], strict=True):
        if isinstance(name, str) and name.strip() and name != run.name:
            f.store.rename(run.id, name.strip())
    chosen = [run for run, pick in zip(runs, edited[tick[0]], strict=True) if pick]
    c = st.columns([1, 1, 3])
    c[0].download_button(
        _("compare.download"),
        compare.runs_csv(table.drop(columns=["compare", "delete"])),
        "runs.csv",
        "text/csv",
        key="dl_runs",
        on_click="ignore",
    )
    doomed = [run.id for run, pick in zip(runs, edited[tick[1]], strict=True) if pick]
    label = _("compare.delete_n", count=len(doomed)) if doomed else _("compare.delete_none")
    if c[1].button(label, key="delete_runs", disabled=not doomed, icon=":material/delete:"):
        ss["delete_pending"] = doomed
    confirm_delete(f, runs)
    return chosen


def _delete(f: Frame, pending: list[Run]) -> None:
    """Delete the runs and keep, for the next run of the page, what was deleted and what was kept and why."""
    ss, _, store = st.session_state, translator(f.lang), f.store
    with st.spinner(_("compare.deleting")):
        done = delete_runs(store, f.pool, f.ws, [r.id for r in pending])
    ss.pop("delete_pending", None)
    ss["delete_message"] = _("compare.deleted", runs=_("common.runs", count=len(done.deleted))) + "".join(
        _(
            "compare.not_deleted",
            reason=_(KEPT[reason]) if reason in KEPT else reason,
            name=store.get(i).name if store.get(i) else i,
        )
        for i, reason in done.kept
    )


def confirm_delete(f: Frame, runs: list[Run]) -> None:
    """Asks before deleting the runs ticked for it; a run still training or queued is stopped first."""
    ss, _ = st.session_state, translator(f.lang)
    pending = [r for r in runs if r.id in ss.get("delete_pending", ())]
    if not pending:
        ss.pop("delete_pending", None)
        return
    live = [r.name for r in pending if (job := f.pool.get(r.id)) is not None and not job.done]
    sep = _("compare.list_sep")
    runs_word = _("common.runs", count=len(pending))
    text = _("compare.delete_ask", runs=runs_word, names=sep.join(r.name for r in pending))
    if live:
        text += _("compare.delete_live", names=sep.join(live))
    with st.container(border=True):
        st.warning(escape_markdown(text))
        c = st.columns([1, 1, 4])
        if c[0].button(
            _("compare.delete_confirm"), type="primary", key="delete_confirm", icon=":material/delete_forever:"
        ):
            _delete(f, pending)
            st.rerun()
        if c[1].button(_("compare.cancel"), key="delete_cancel"):
            ss.pop("delete_pending", None)
            st.rerun()


def differences(f: Frame, chosen: list[Run]) -> None:
    """Only the settings that differ between the chosen runs."""
    _ = translator(f.lang)
    st.subheader(_("compare.differs"))
    diff = compare.differing(chosen, lang=f.lang)
    if diff.empty:
        st.caption(_("compare.same_settings"))
    else:
        st.dataframe(diff.astype(str), width="stretch")


def curves(f: Frame, chosen: list[Run], histories: dict[str, dict]) -> None:
    """The chosen runs' loss curves overlaid (by epoch or time, log scale or not), and their test metric."""
    _ = translator(f.lang)
    c = st.columns([1, 1, 3])
    by = c[0].radio(
        _("compare.x_axis"),
        ["epoch", "time"],
        format_func=lambda k: _(f"compare.x_option.{k}"),
        horizontal=True,
        key="curves_by",
    )
    log = c[1].checkbox(_("compare.log_scale"), key="curves_log")
    lines = {f"{r.name}": histories[r.id] for r in chosen}
    st.plotly_chart(compare_plots.overlaid_curves(lines, by=by, log=log, labels=words("curves", f.lang)), key="curves")
    table = compare.runs_table(chosen, histories, lang=f.lang)
    metric = next((c for c in table.columns if c.startswith("test ")), None)
    if metric and table[metric].notna().any():
        st.plotly_chart(compare_plots.metric_bars(table, metric, labels=words("metric", f.lang)), key="metric_bars")


def sweep_grid(f: Frame, runs: list[Run]) -> tuple[list[int], list[int], int, int]:
    """The sweep's depths, widths, epoch budget and patience; the form starts at the workspace's latest sweep
    (decided once a session, so the widgets keep their identity)."""
    _ = translator(f.lang)
    if "sweep_start" not in st.session_state:
        st.session_state["sweep_start"] = compare.sweep_settings(runs)
    depths, widths, epochs, patience = st.session_state["sweep_start"]
    c = st.columns(4)
    depths = c[0].multiselect(_("compare.depths"), compare.DEPTH_CHOICES, default=depths, key="sweep_depths")
    widths = c[1].multiselect(_("compare.widths"), compare.WIDTH_CHOICES, default=widths, key="sweep_widths")
    epochs = c[2].number_input(_("compare.epochs"), 1, 200, value=epochs, key="sweep_epochs")
    patience = c[3].number_input(_("compare.patience"), 0, 50, value=patience, key="sweep_patience")
    return depths, widths, epochs, patience


def submit_sweep(f: Frame, planned: list[Cell], train: TrainConfig) -> None:
    """Queue the sweep's cells that have no run yet and redraw, or say why not."""
    try:
        compare.submit_sweep(
            f.store,
            f.pool,
            planned,
            workspace=f.ws,
            frame=f.data.frame,
            data_config=f.windows.config,
            train_config=train,
            windows=f.windows,
            lang=f.lang,
            data_choice=f.data.choice.to_dict() if f.data.choice else None,
        )
        st.rerun()
    except SlstmError as exc:
        st.error(exc.text(f.lang))


def sweep_view(f: Frame, planned: list[Cell], fingerprint: str) -> None:
    """Progress and results of the sweep the widgets describe (or else the workspace's latest sweep);
    refreshes while cells train."""
    _, store = translator(f.lang), f.store
    runs_now = store.list_runs(f.ws)
    cells, last = compare.sweep_to_show(planned, fingerprint, runs_now)
    if last:
        st.caption(_("compare.latest_sweep", depths=last[1], widths=last[2]))
    found = compare.sweep_results(cells, runs_now, {r.id: store.history(r.id) for r in runs_now})
    active = compare.live_cells(cells, runs_now)
    for r in active:
        f.pool.touch(r.id)
    done = int(found["best val_loss"].notna().sum())
    if active or done:
        progress = _("compare.progress", done=done, cells=len(cells), active=len(active))
        st.progress(done / len(cells), text=progress)
    if done:
        left, right = st.columns(2)
        sweep = words("sweep", f.lang)
        left.plotly_chart(compare_plots.sweep_chart(found, x="depth", labels=sweep), key="sweep_depth")
        right.plotly_chart(compare_plots.sweep_chart(found, x="params", labels=sweep), key="sweep_params")
        st.write(compare.read_sweep(found, lang=f.lang))
