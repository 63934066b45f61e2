"""Compare: the workspace's runs side by side (only what differs, curves, metric against baselines), and a
depth-against-width sweep on the current data."""

import hashlib

import streamlit as st

from pages import serve_through_app
from slstm import compare, compare_plots, session
from slstm.errors import SlstmError
from slstm.i18n import labels, translator
from slstm.results import config_dict
from slstm.text import escape_markdown
from slstm.train import TrainConfig
from slstm.workspace import delete_runs

serve_through_app()

ss = st.session_state
lang = ss["lang"]
_ = translator(lang)
KEPT = {  # slstm.workspace.delete_runs' reasons for leaving a run, as catalog keys
    "already deleted": "compare.kept.gone",
    "not in this workspace": "compare.kept.elsewhere",
    "still stopping: try again in a few seconds": "compare.kept.stopping",
}


def words(figure: str):
    """A figure's words in the page language (compare.fig_<figure>)."""
    return labels(f"compare.fig_{figure}", lang)


store, pool = ss["run_store"], ss["job_pool"]
pool.pump()
st.title(_("compare.title"))
if message := ss.pop("delete_message", None):
    st.success(escape_markdown(message))
runs = store.list_runs(ss["ws"])
histories = {r.id: store.history(r.id) for r in runs}


def runs_ui() -> list:
    """The runs table: tick runs to compare or to delete (nothing is ticked for deletion), edit names in place;
    returns the runs to compare. The ticks belong to this exact list of runs: when a run comes or goes (another
    tab, a sweep), the table starts afresh rather than moving a tick onto a neighbouring run."""
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
            store.rename(run.id, name.strip())
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
    confirm_delete()
    return chosen


def confirm_delete() -> None:
    """Asks before deleting the runs ticked for it; a run still training or queued is stopped first."""
    pending = [r for r in runs if r.id in ss.get("delete_pending", ())]
    if not pending:
        ss.pop("delete_pending", None)
        return
    live = [r.name for r in pending if (job := pool.get(r.id)) is not None and not job.done]
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
            with st.spinner(_("compare.deleting")):
                done = delete_runs(store, pool, ss["ws"], [r.id for r in pending])
            ss.pop("delete_pending", None)
            ss["delete_message"] = _("compare.deleted", runs=_("common.runs", count=len(done.deleted))) + "".join(
                _(
                    "compare.not_deleted",
                    reason=_(KEPT[reason]) if reason in KEPT else reason,
                    name=store.get(i).name if store.get(i) else i,
                )
                for i, reason in done.kept
            )
            st.rerun()
        if c[1].button(_("compare.cancel"), key="delete_cancel"):
            ss.pop("delete_pending", None)
            st.rerun()


if not runs:
    st.info(_("compare.no_runs"))
else:
    chosen = runs_ui()
    if len(chosen) >= 2:
        st.subheader(_("compare.differs"))
        diff = compare.differing(chosen, lang=lang)
        if diff.empty:
            st.caption(_("compare.same_settings"))
        else:
            st.dataframe(diff.astype(str), width="stretch")
    if chosen:
        c = st.columns([1, 1, 3])
        by = c[0].radio(
            _("compare.x_axis"),
            ["epoch", "time"],
            format_func=lambda k: _(f"compare.x_option.{k}"),
            horizontal=True,
            key="curves_by",
        )
        log = c[1].checkbox(_("compare.log_scale"), key="curves_log")
        curves = {f"{r.name}": histories[r.id] for r in chosen}
        st.plotly_chart(compare_plots.overlaid_curves(curves, by=by, log=log, labels=words("curves")), key="curves")
        table = compare.runs_table(chosen, histories, lang=lang)
        metric = next((c for c in table.columns if c.startswith("test ")), None)
        if metric and table[metric].notna().any():
            st.plotly_chart(compare_plots.metric_bars(table, metric, labels=words("metric")), key="metric_bars")

st.divider()
st.subheader(_("compare.sweep"))
st.write(_("compare.sweep_intro"))
c = st.columns(4)
depths = c[0].multiselect(_("compare.depths"), list(range(1, 7)), default=[1, 2, 3], key="sweep_depths")
widths = c[1].multiselect(_("compare.widths"), [4, 8, 16, 32, 64, 128], default=[16, 32, 64], key="sweep_widths")
epochs = c[2].number_input(_("compare.epochs"), 1, 200, value=10, key="sweep_epochs")
patience = c[3].number_input(_("compare.patience"), 0, 50, value=3, key="sweep_patience")
windows = ss.get("windows")
if windows is None:
    st.error(escape_markdown(_("compare.no_data", error=ss["data_error"])))
    st.stop()
try:
    chosen = session.train_config(ss)  # the Train page's batch size (None: fitted to the data) and learning rate
    train = TrainConfig(
        epochs=int(epochs),
        batch_size=chosen.batch_size,
        learning_rate=chosen.learning_rate,
        patience=int(patience) or None,
    ).resolved(len(windows.train))
except SlstmError as exc:
    st.error(exc.text(lang))
    st.stop()
fingerprint = compare.fingerprint(config_dict(windows.config), train.to_dict())
planned = compare.plan_sweep(sorted(depths), sorted(widths), fingerprint=fingerprint)
if st.button(_("compare.run_sweep", count=len(planned)), type="primary", key="run_sweep", disabled=not planned):
    try:
        compare.submit_sweep(
            store,
            pool,
            planned,
            workspace=ss["ws"],
            frame=ss["frame"],
            data_config=windows.config,
            train_config=train,
            windows=windows,
            lang=lang,
        )
        st.rerun()
    except SlstmError as exc:
        st.error(exc.text(lang))


def sweep_view() -> None:
    """Progress and results of the sweep the widgets describe (or else the workspace's latest sweep);
    refreshes while cells train."""
    runs_now = store.list_runs(ss["ws"])
    cells = planned
    if not any(r.train_config.get("sweep") == fingerprint for r in runs_now) and (
        last := compare.latest_sweep(runs_now)
    ):
        cells = compare.plan_sweep(last[1], last[2], fingerprint=last[0])
        st.caption(_("compare.latest_sweep", depths=last[1], widths=last[2]))
    results = compare.sweep_results(cells, runs_now, {r.id: store.history(r.id) for r in runs_now})
    keys = {cell.key for cell in cells}
    active = [r for r in runs_now if r.train_config.get("sweep_cell") in keys and r.status in ("queued", "running")]
    for r in active:
        pool.touch(r.id)
    done = int(results["best val_loss"].notna().sum())
    if active or done:
        progress = _("compare.progress", done=done, cells=len(cells), active=len(active))
        st.progress(done / len(cells), text=progress)
    if done:
        left, right = st.columns(2)
        left.plotly_chart(compare_plots.sweep_chart(results, x="depth", labels=words("sweep")), key="sweep_depth")
        right.plotly_chart(compare_plots.sweep_chart(results, x="params", labels=words("sweep")), key="sweep_params")
        st.write(compare.read_sweep(results, lang=lang))


if planned or any(r.train_config.get("sweep") for r in runs):
    live = any(r.train_config.get("sweep_cell") and r.status in ("queued", "running") for r in runs)
    st.fragment(sweep_view, run_every=2 if live else None)()
