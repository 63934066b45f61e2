"""Compare: the workspace's runs side by side (only what differs, curves, metric against baselines), and a
depth-against-width sweep on the current data."""

import hashlib

import streamlit as st

from pages import serve_through_app
from slstm import compare, compare_plots
from slstm.errors import SlstmError
from slstm.results import config_dict
from slstm.text import escape_markdown
from slstm.train import TrainConfig
from slstm.workspace import count, delete_runs

serve_through_app()

ss = st.session_state
store, pool = ss["run_store"], ss["job_pool"]
pool.pump()
st.title("Compare")
if message := ss.pop("delete_message", None):
    st.success(escape_markdown(message))
runs = store.list_runs(ss["ws"])
histories = {r.id: store.history(r.id) for r in runs}


def runs_ui() -> list:
    """The runs table: tick runs to compare or to delete (nothing is ticked for deletion), edit names in place;
    returns the runs to compare. The ticks belong to this exact list of runs: when a run comes or goes (another
    tab, a sweep), the table starts afresh rather than moving a tick onto a neighbouring run."""
    table = compare.runs_table(runs, histories)
    table.insert(0, "compare", table.index < 3)
    table.insert(1, "delete", False)
    ss["runs_editor_key"] = hashlib.sha256(" ".join(r.id for r in runs).encode()).hexdigest()[:16]
    edited = st.data_editor(
        table,
        key=ss["runs_editor_key"],
        hide_index=True,
        width="stretch",
        disabled=[c for c in table.columns if c not in ("compare", "delete", "name")],
        column_config={
            "id": None,
            "compare": st.column_config.CheckboxColumn(width="small", help="Show this run in the charts below."),
            "delete": st.column_config.CheckboxColumn(width="small", help="Tick, then press Delete: it asks first."),
        },
    )
    for run, name in zip(runs, edited["name"], strict=True):
        if isinstance(name, str) and name.strip() and name != run.name:
            store.rename(run.id, name.strip())
    chosen = [run for run, pick in zip(runs, edited["compare"], strict=True) if pick]
    c = st.columns([1, 1, 3])
    c[0].download_button(
        "Download table (CSV)",
        compare.runs_csv(table.drop(columns=["compare", "delete"])),
        "runs.csv",
        "text/csv",
        key="dl_runs",
        on_click="ignore",
    )
    doomed = [run.id for run, pick in zip(runs, edited["delete"], strict=True) if pick]
    label = f"Delete {len(doomed)} ticked…" if doomed else "Delete ticked…"
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
    text = f"Delete {count(len(pending))} for good: {', '.join(r.name for r in pending)}? "
    text += "Their history, weights, model and predictions go too; this cannot be undone."
    if live:
        text += f" Still training or queued, stopped first: {', '.join(live)}."
    with st.container(border=True):
        st.warning(escape_markdown(text))
        c = st.columns([1, 1, 4])
        if c[0].button("Delete for good", type="primary", key="delete_confirm", icon=":material/delete_forever:"):
            with st.spinner("Stopping and deleting…"):
                done = delete_runs(store, pool, ss["ws"], [r.id for r in pending])
            ss.pop("delete_pending", None)
            ss["delete_message"] = f"Deleted {count(len(done.deleted))}." + "".join(
                f" Not deleted ({reason}): {store.get(i).name if store.get(i) else i}." for i, reason in done.kept
            )
            st.rerun()
        if c[1].button("Cancel", key="delete_cancel"):
            ss.pop("delete_pending", None)
            st.rerun()


if not runs:
    st.info("No runs yet in this workspace: train one on the Train page, or start a sweep below.")
else:
    chosen = runs_ui()
    if len(chosen) >= 2:
        st.subheader("Only what differs")
        diff = compare.differing(chosen)
        if diff.empty:
            st.caption("These runs share every setting (they may differ by chance: the seed, the order of batches).")
        else:
            st.dataframe(diff.astype(str), width="stretch")
    if chosen:
        c = st.columns([1, 1, 3])
        by = c[0].radio("x axis", ["epoch", "time"], horizontal=True, key="curves_by")
        log = c[1].checkbox("log scale", key="curves_log")
        curves = {f"{r.name}": histories[r.id] for r in chosen}
        st.plotly_chart(compare_plots.overlaid_curves(curves, by=by, log=log), key="curves")
        table = compare.runs_table(chosen, histories)
        metric = next((c for c in table.columns if c.startswith("test ")), None)
        if metric and table[metric].notna().any():
            st.plotly_chart(compare_plots.metric_bars(table, metric), key="metric_bars")

st.divider()
st.subheader("Sweep: depth against width")
st.write(
    "Does another layer help more than more units? Each cell of the grid trains one stack (every layer but the "
    "last returns sequences) on the current data with the same budget. Finished cells are kept: running the same "
    "sweep again only trains the missing ones."
)
c = st.columns(4)
depths = c[0].multiselect("Depths (layers)", list(range(1, 7)), default=[1, 2, 3], key="sweep_depths")
widths = c[1].multiselect("Widths (units)", [4, 8, 16, 32, 64, 128], default=[16, 32, 64], key="sweep_widths")
epochs = c[2].number_input("Epochs per cell", 1, 200, value=10, key="sweep_epochs")
patience = c[3].number_input("Early-stopping patience (0 = off)", 0, 50, value=3, key="sweep_patience")
windows = ss.get("windows")
if windows is None:
    st.error(escape_markdown(f"No data for a sweep: {ss['data_error']}"))
    st.stop()
try:
    train = TrainConfig(
        epochs=int(epochs),
        batch_size=int(ss.get("batch_size", 32)),
        learning_rate=float(ss.get("learning_rate", 1e-3)),
        patience=int(patience) or None,
    )
except SlstmError as exc:
    st.error(str(exc))
    st.stop()
fingerprint = compare.fingerprint(config_dict(windows.config), train.to_dict())
planned = compare.plan_sweep(sorted(depths), sorted(widths), fingerprint=fingerprint)
if st.button(f"Run sweep ({len(planned)} cells)", type="primary", key="run_sweep", disabled=not planned):
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
        )
        st.rerun()
    except SlstmError as exc:
        st.error(str(exc))


def sweep_view() -> None:
    """Progress and results of the sweep the widgets describe (or else the workspace's latest sweep);
    refreshes while cells train."""
    runs_now = store.list_runs(ss["ws"])
    cells = planned
    if not any(r.train_config.get("sweep") == fingerprint for r in runs_now) and (
        last := compare.latest_sweep(runs_now)
    ):
        cells = compare.plan_sweep(last[1], last[2], fingerprint=last[0])
        st.caption(f"Showing the latest sweep in this workspace: depths {last[1]}, widths {last[2]}.")
    results = compare.sweep_results(cells, runs_now, {r.id: store.history(r.id) for r in runs_now})
    keys = {cell.key for cell in cells}
    active = [r for r in runs_now if r.train_config.get("sweep_cell") in keys and r.status in ("queued", "running")]
    for r in active:
        pool.touch(r.id)
    done = int(results["best val_loss"].notna().sum())
    if active or done:
        st.progress(done / len(cells), text=f"{done} of {len(cells)} cells finished, {len(active)} training or queued")
    if done:
        left, right = st.columns(2)
        left.plotly_chart(compare_plots.sweep_chart(results, x="depth"), key="sweep_depth")
        right.plotly_chart(compare_plots.sweep_chart(results, x="params"), key="sweep_params")
        st.write(compare.read_sweep(results))


if planned or any(r.train_config.get("sweep") for r in runs):
    live = any(r.train_config.get("sweep_cell") and r.status in ("queued", "running") for r in runs)
    st.fragment(sweep_view, run_every=2 if live else None)()
