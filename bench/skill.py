"""Skill on real data with the app's defaults: `python -m slstm train` (the CLI's own code: job pool,
worker process, run store) on real series and long-format classification sets that ship inside installed
packages, printed beside the naive baselines. Regression: the model's test RMSE against persistence and the
training mean. Classification: test accuracy against the majority class and 1-nearest-neighbour with
dynamic time warping (computed here, NumPy).

Data (no downloads; `pip install -r requirements-bench.txt`): statsmodels' datasets (co2, sunspots, nile,
elnino, macrodata; BSD-3 package, public-domain or cited data) and the small sets aeon ships in
aeon/datasets/data (Airline, ShampooSales, Lynx; UCR archive sets GunPoint, ArrowHead, ItalyPowerDemand,
BasicMotions; BSD-3 package; the UCR/UEA archive asks users to cite it). aeon's data files are read
directly, without importing aeon (its own dependencies are not needed).

    python -m bench.skill                 # every set (about 17 minutes on 2 cores)
    python -m bench.skill --only co2,GunPoint
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def aeon_data() -> Path:
    spec = importlib.util.find_spec("aeon")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("aeon is not installed: pip install -r requirements-bench.txt")
    return Path(spec.submodule_search_locations[0]) / "datasets" / "data"


def statsmodels_series(name: str) -> pd.DataFrame:
    import statsmodels.api as sm

    data = getattr(sm.datasets, name).load_pandas().data
    if name == "co2":  # weekly CO2 at Mauna Loa, 1958-2001 (a few gaps: interpolated by the CLI)
        return pd.DataFrame({"time": data.index.astype(str), "value": data["co2"].to_numpy()})
    if name == "sunspots":  # yearly sunspot numbers, 1700-2008
        return pd.DataFrame({"time": data["YEAR"].astype(int).astype(str), "value": data["SUNACTIVITY"]})
    if name == "nile":  # yearly Nile flow at Aswan, 1871-1970
        return pd.DataFrame({"time": data["year"].astype(int).astype(str), "value": data["volume"]})
    if name == "elnino":  # monthly sea surface temperature, 1950-2010, one row per year in the file
        months = data.drop(columns="YEAR").to_numpy().reshape(-1)
        return pd.DataFrame({"time": pd.date_range("1950-01", periods=len(months), freq="MS"), "value": months})
    if name == "macrodata":  # US real GDP, quarterly, 1959-2009
        return pd.DataFrame(
            {"time": pd.period_range("1959Q1", periods=len(data), freq="Q").astype(str), "value": data["realgdp"]}
        )
    raise KeyError(name)


def aeon_series(name: str) -> pd.DataFrame:
    frame = pd.read_csv(aeon_data() / name / f"{name}.csv")
    return pd.DataFrame({"time": frame.iloc[:, 0].astype(str), "value": frame.iloc[:, -1].astype(float)})


REGRESSION = {
    "co2": ("statsmodels", "weekly, trend + season"),
    "macrodata_realgdp": ("statsmodels", "quarterly economic total"),
    "sunspots": ("statsmodels", "yearly, cyclic"),
    "nile": ("statsmodels", "yearly, 100 rows"),
    "elnino": ("statsmodels", "monthly sea temperature"),
    "Airline": ("aeon", "monthly, 144 rows"),
    "ShampooSales": ("aeon", "monthly, 36 rows"),
    "Lynx": ("aeon", "yearly, cyclic"),
}
CLASSIFICATION = ("ItalyPowerDemand", "GunPoint", "ArrowHead", "BasicMotions", "JapaneseVowels")
FILES = {"JapaneseVowels": "JapaneseVowels_eq"}  # the archive's equal-length version (12 dims, 25 steps)


def read_ts(path: Path) -> tuple[list[np.ndarray], list[str]]:
    """A .ts file (UCR/UEA format): per case, an array (dims, steps) and its label."""
    series, labels, body = [], [], False
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("@data"):
            body = True
            continue
        if not body or line.startswith("@"):
            continue
        *dims, label = line.split(":")
        series.append(np.array([[float(v) for v in d.split(",")] for d in dims]))
        labels.append(label.strip())
    return series, labels


def long_format(series: list[np.ndarray], labels: list[str]) -> pd.DataFrame:
    rows = []
    for k, (x, y) in enumerate(zip(series, labels, strict=True)):
        for s in range(x.shape[1]):
            rows.append({"id": f"case{k}", "step": s, **{f"v{d}": x[d, s] for d in range(x.shape[0])}, "label": y})
    return pd.DataFrame(rows)


def dtw_all(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full-window DTW distances between every case of `a` (n, dims, L) and of `b` (m, dims, L2), with the
    squared Euclidean cost summed over dimensions (dependent DTW); vectorised over the n*m pairs."""
    n, m = len(a), len(b)
    la, lb = a.shape[2], b.shape[2]
    prev = np.full((n, m, lb + 1), np.inf)  # row i-1 of the cost-to-come table; column 0 is the boundary
    prev[:, :, 0] = 0.0
    for i in range(la):
        cost = ((a[:, None, :, i, None] - b[None, :, :, :]) ** 2).sum(axis=2)  # (n, m, lb)
        cur = np.full((n, m, lb + 1), np.inf)
        for j in range(lb):
            best = np.minimum(np.minimum(prev[:, :, j + 1], cur[:, :, j]), prev[:, :, j])
            cur[:, :, j + 1] = cost[:, :, j] + best
        prev = cur
    return prev[:, :, lb]


def one_nn_dtw(train: list[np.ndarray], train_y: list[str], test: list[np.ndarray], test_y: list[str]) -> float:
    a, b = np.stack(test), np.stack(train)
    predicted = []
    for lo in range(0, len(a), 64):  # test cases in chunks (memory: chunk x train x length)
        d = dtw_all(a[lo : lo + 64], b)
        predicted += [train_y[k] for k in d.argmin(axis=1)]
    return float(np.mean(np.array(predicted) == np.array(test_y)))


def cli_train(csv: Path, extra: list[str], home: Path) -> dict:
    from slstm.spec import DEFAULT_SPEC

    cmd = [sys.executable, "-m", "slstm", "train", "--csv", str(csv), "--spec", DEFAULT_SPEC.to_json(), "--json"]
    env = {**os.environ, "SLSTM_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
    done = subprocess.run(cmd + extra, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise RuntimeError(f"{csv.name}: the CLI failed:\n{done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["stderr_notes"] = [line for line in done.stderr.splitlines() if line.startswith(("note:", "hint:"))]
    return out


def regression_row(name: str, folder: Path, home: Path) -> dict:
    source, story = REGRESSION[name]
    frame = statsmodels_series(name.split("_")[0]) if source == "statsmodels" else aeon_series(name)
    csv = folder / f"{name}.csv"
    frame.to_csv(csv, index=False)
    started = time.perf_counter()
    out = cli_train(csv, ["--target", "value", "--features", "value"], home)
    test = out["metrics"].get("test", {})
    base = out["baselines"].get("test", {})
    persistence = base.get("persistence (last value)", {}).get("rmse")
    return {
        "set": name,
        "kind": story,
        "rows": len(frame),
        "form": out["data_config"].get("target_form"),
        "epochs": out["epochs_run"],
        "seconds": round(time.perf_counter() - started),
        "model": test.get("rmse"),
        "persistence": persistence,
        "mean": base.get("training mean", {}).get("rmse"),
        "ratio": test["rmse"] / persistence if test and persistence else None,
        "beats": out["verdict"]["beats"].get("test"),
        "verdict": out["verdict"]["text"],
        "hint": out.get("lookback_hint"),
    }


def classification_row(name: str, folder: Path, home: Path) -> dict:
    stem = FILES.get(name, name)
    train, train_y = read_ts(aeon_data() / name / f"{stem}_TRAIN.ts")
    test, test_y = read_ts(aeon_data() / name / f"{stem}_TEST.ts")
    paths = []
    for part, (x, y) in (("train", (train, train_y)), ("test", (test, test_y))):
        paths.append(folder / f"{name}_{part}.csv")
        long_format(x, y).to_csv(paths[-1], index=False)
    features = ",".join(f"v{d}" for d in range(train[0].shape[0]))
    started = time.perf_counter()
    extra = ["--target", "label", "--features", features, "--sequence-id", "id", "--time-col", "step"]
    out = cli_train(paths[0], [*extra, "--test-csv", str(paths[1])], home)
    seconds = round(time.perf_counter() - started)
    dtw = one_nn_dtw(train, train_y, test, test_y)
    accuracy = out["metrics"].get("test", {}).get("accuracy")
    return {
        "set": name,
        "kind": f"{len(train)}+{len(test)} sequences × {train[0].shape[1]} steps × {train[0].shape[0]}",
        "scaling": out["data_config"].get("scaling"),
        "epochs": out["epochs_run"],
        "seconds": seconds,
        "model": accuracy,
        "majority": out["baselines"].get("test", {}).get("majority class", {}).get("accuracy"),
        "1nn_dtw": dtw,
        "ratio": accuracy / dtw if accuracy is not None and dtw else None,
        "verdict": out["verdict"]["text"],
    }


def fmt(v, digits=4) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated set names")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    rows_r, rows_c = [], []
    with tempfile.TemporaryDirectory(prefix="slstm-skill-") as tmp:
        folder, home = Path(tmp), Path(tmp) / "runs"
        for name in REGRESSION:
            if only is None or name in only:
                rows_r.append(regression_row(name, folder, home))
                print(json.dumps(rows_r[-1]), file=sys.stderr, flush=True)
        for name in CLASSIFICATION:
            if only is None or name in only:
                rows_c.append(classification_row(name, folder, home))
                print(json.dumps(rows_c[-1]), file=sys.stderr, flush=True)
    if rows_r:
        print(
            "| series | kind | rows | target form | epochs | test RMSE model | persistence | training mean "
            "| model / persistence |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows_r:
            print(
                f"| {r['set']} | {r['kind']} | {r['rows']} | {r['form']} | {r['epochs']} | {fmt(r['model'])} "
                f"| {fmt(r['persistence'])} | {fmt(r['mean'])} | {fmt(r['ratio'], 3)} |"
            )
        wins = sum(1 for r in rows_r if r["ratio"] is not None and r["ratio"] < 1)
        print(
            f"\nbelow persistence on test: {wins} of {len(rows_r)}; every series has test metrics: "
            f"{all(r['model'] is not None for r in rows_r)}\n"
        )
    if rows_c:
        print("| set | shape | scaling | epochs | test accuracy model | majority | 1-NN DTW | model / 1-NN DTW |")
        print("|---|---|---|---|---|---|---|---|")
        for r in rows_c:
            print(
                f"| {r['set']} | {r['kind']} | {r['scaling']} | {r['epochs']} | {fmt(r['model'], 3)} "
                f"| {fmt(r['majority'], 3)} | {fmt(r['1nn_dtw'], 3)} | {fmt(r['ratio'], 3)} |"
            )
        wins = sum(1 for r in rows_c if r["ratio"] is not None and r["ratio"] >= 1)
        print(f"\nat least 1-NN DTW accuracy: {wins} of {len(rows_c)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"regression": rows_r, "classification": rows_c}, indent=1))


if __name__ == "__main__":
    main()
