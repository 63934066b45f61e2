"""Train: set the optimizer and budget, train, and watch the loss curve grow epoch by epoch."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:  # opened by a deep link before app.py ever ran: let app.py's navigation serve it
    PagesManager.uses_pages_directory = False
    st.rerun()


import itertools
import time

import pandas as pd

from slstm import plots
from slstm.errors import SlstmError
from slstm.text import escape_markdown
from slstm.train import OPTIMIZERS, TrainConfig

ss = st.session_state
st.title("Train")
windows = ss.get("windows")
spec = ss["spec"]
if windows is None:
    st.error(escape_markdown(f"No data to train on: {ss['data_error']}"))
    st.stop()
problems = [p for p in spec.validate(num_outputs=windows.config.num_outputs) if p.is_error]
if problems:
    st.error(f"The architecture cannot be trained yet: {problems[0].message}")
    st.page_link("pages/architecture.py", label="Fix it on the Architecture page", icon="🧱")
    st.stop()

st.write(f"**{spec.short()}** on {ss['data_name']}: X_train {windows.input_shape}")
c1, c2, c3, c4 = st.columns(4)
epochs = c1.number_input("Epochs", 1, 500, value=10, key="epochs", persist_state="session")
batch_size = c2.number_input("Batch size", 1, 4096, value=32, key="batch_size", persist_state="session")
learning_rate = c3.number_input(
    "Learning rate", 1e-5, 1.0, value=1e-3, step=1e-4, format="%.4f", key="learning_rate", persist_state="session"
)
optimizer = c4.selectbox("Optimizer", OPTIMIZERS, key="optimizer", persist_state="session")
config = TrainConfig(
    epochs=int(epochs), batch_size=int(batch_size), learning_rate=float(learning_rate), optimizer=optimizer
)

start = st.button("Train", type="primary", key="train")
progress_slot, chart_slot, result_slot = st.empty(), st.empty(), st.container()
draws = itertools.count()  # each redraw of the live chart needs its own element key


def show(run: dict) -> None:
    history = run["history"]
    done = len(history.get("loss", []))
    progress_slot.progress(done / run["epochs"], text=f"Epoch {done}/{run['epochs']}")
    chart_slot.plotly_chart(plots.loss_curve(history), key=f"loss_{next(draws)}")


if start:
    from slstm.model import build_model
    from slstm.train import fit, predict

    run = {"started": time.time(), "epochs": config.epochs, "history": {}, "status": "training", "spec": spec}
    ss["last_run"] = run
    progress_slot.progress(0.0, text="Building the model…")

    def on_epoch(log) -> None:
        for name, value in log.logs.items():
            run["history"].setdefault(name, []).append(value)
        show(run)

    try:
        model = build_model(
            spec, timesteps=windows.timesteps, num_features=windows.num_features, num_outputs=windows.config.num_outputs
        )
        fit(model, windows, config, on_epoch=on_epoch)
        if len(windows.test):
            from slstm.metrics import regression_report

            predicted = predict(model, windows.test.x)
            run["report"] = regression_report(windows, windows.test, predicted)
            run["test_truth"], run["test_pred"] = windows.unscale_y(windows.test.y), windows.unscale_y(predicted)
        run["status"] = "finished"
    except SlstmError as exc:
        run["status"] = "failed"
        run["error"] = str(exc)
    st.rerun()  # redraw the whole frame (sidebar included) with the finished run

run = ss.get("last_run")
if run:
    show(run)
    history = run["history"]
    if run.get("error"):
        result_slot.error(escape_markdown(run["error"]))
    if history.get("loss"):
        final = f"Final training loss {history['loss'][-1]:.4g}"
        if history.get("val_loss"):
            final += f", validation loss {history['val_loss'][-1]:.4g}"
        result_slot.success(f"{run['status'].capitalize()}: {final} (MSE on scaled data).")
    if "report" in run:
        table = pd.DataFrame(run["report"]).T.rename(columns={"rmse": "RMSE", "mae": "MAE"})
        result_slot.subheader("Test metrics, in the target's units")
        result_slot.dataframe(table.style.format("{:.4g}"))
        result_slot.plotly_chart(plots.predictions(run["test_truth"], run["test_pred"]), key="pred_chart")
