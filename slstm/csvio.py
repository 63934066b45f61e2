"""Read any reasonable CSV into a clean DataFrame plus a LoadReport of every step; refuse the rest with a
DataError that says what to fix. csvsniff turns bytes into named columns; this file types them and finds time."""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from slstm import csvsniff as sniff
from slstm.csvsniff import DELIMITER_NAMES, NA_TOKENS, count, lines_list, n
from slstm.errors import DataError
from slstm.text import has_invisible, quote, visible

POLICIES = ("drop", "ffill", "interpolate", "keep")
_TIME_NAME = re.compile(r"date|time|datum|zeit|fecha|^(ts|dt|day|week|month|year|period|hour)$", re.IGNORECASE)
_THOUSANDS = {".": re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?"), ",": re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")}
_MISSING = NA_TOKENS | {""}
_PARSE_ERRORS = (ValueError, TypeError, OverflowError)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_000_000
    max_columns: int = 200

    @classmethod
    def from_env(cls) -> Limits:
        """Limits with SLSTM_MAX_BYTES, SLSTM_MAX_ROWS and SLSTM_MAX_COLUMNS applied where set."""
        values = {}
        for f in dataclasses.fields(cls):
            key = f"SLSTM_{f.name.upper()}"
            if (raw := os.environ.get(key)) is not None:
                if not raw.strip().isdigit() or int(raw) < 1:
                    raise DataError(f"{key}={raw!r} is not a positive whole number; set it like {key}={f.default}.")
                values[f.name] = int(raw)
        return cls(**values)


@dataclass
class ColumnInfo:
    name: str
    original: str  # the header cell as in the file ("" without a header row)
    kind: str  # "numeric" | "text" | "time"
    unreadable: int  # cells that could not be read as numbers (time column: as times; those rows are dropped)
    missing: int  # NaN cells (after coercion, incl. unreadable and infinite)
    infinite: int  # ±inf cells, replaced with NaN
    constant: bool


@dataclass
class LoadReport:
    name: str
    encoding: str
    delimiter: str
    decimal: str
    header: bool
    rows: int
    columns: list[ColumnInfo]
    time_column: str | None
    steps: list[str]  # every detection/cleaning step, in plain words
    warnings: list[str]  # things to look at that did not change the data


@dataclass
class Table:
    frame: pd.DataFrame
    report: LoadReport

    @property
    def numeric_columns(self) -> list[str]:
        return [c.name for c in self.report.columns if c.kind == "numeric"]

    @property
    def time_column(self) -> str | None:
        return self.report.time_column


def read_csv(
    source: bytes | str | os.PathLike | BinaryIO, *, name: str | None = None, limits: Limits = Limits()
) -> Table:
    """Read CSV bytes, a path or a binary file into a Table, or raise DataError saying what to fix.

    >>> read_csv(b"date,price\\n2024-01-02,1.5\\n2024-01-01,2").report.steps[-1]
    "Sorted 2 rows by 'date' (the file was in reverse time order)."
    """
    data, name = _read_source(source, name, limits)
    text, encoding, steps = sniff.decode(data)
    dialect = sniff.sniff(text, steps)
    names, cells, lines = sniff.read_cells(
        dialect, max_rows=limits.max_rows, max_columns=limits.max_columns, steps=steps
    )
    raw, cells = _drop_nameless_empty(names, cells, steps)
    names = sniff.name_columns(raw, header=dialect.header, steps=steps)
    notes: list[str] = []
    names = _visible_names(names, notes)
    frame, infos, time = _type_columns(names, raw, cells, lines, dialect.decimal, steps, notes)
    if time is not None:
        frame = _order_by_time(frame, time, steps, notes)
    _summarise(frame, infos, notes)
    report = LoadReport(
        name, encoding, dialect.delimiter, dialect.decimal, dialect.header, len(frame), infos, time, steps, notes
    )
    _check_usable(report)
    return Table(frame, report)


def _visible_names(names: list[str], notes: list[str]) -> list[str]:
    """Names that hold invisible characters (zero-width, no-break or odd spaces, direction marks) get them written
    as escapes, e.g. 'a\\u200b', so that names which look alike can be told apart everywhere they are shown."""
    out, changed, taken = [], [], set(names)
    for name in names:
        if not has_invisible(name):
            out.append(name)
            continue
        shown = base = visible(name)
        k = 2
        while shown in taken:
            shown, k = f"{base}_{k}", k + 1
        taken.add(shown)
        out.append(shown)
        changed.append(shown)
    if changed:
        listed = ", ".join(quote(c, 40) for c in changed[:5]) + (", …" if len(changed) > 5 else "")
        notes.append(
            f"{count(len(changed), 'column name')} held invisible characters (zero-width or odd spaces, direction "
            f"marks); they are written as escapes so that look-alike names differ: {listed}."
        )
    return out


def _read_source(source: object, name: str | None, limits: Limits) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data, default = bytes(source), "data"
        size = len(data)
    elif isinstance(source, str | os.PathLike):
        if isinstance(source, str) and "\n" in source:
            raise DataError("read_csv got a string with line breaks; pass a path, or the CSV text as bytes.")
        path = Path(source)
        if not path.is_file():
            raise DataError(f"No file at {str(path)!r}. Check the path (relative paths start at {os.getcwd()!r}).")
        size, default = path.stat().st_size, path.name
        data = path.read_bytes() if size <= limits.max_bytes else b""
    elif hasattr(source, "read"):
        data = source.read(limits.max_bytes + 1)  # stop reading just past the limit
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        default, size = Path(str(getattr(source, "name", "data"))).name, len(data)
    else:
        raise DataError(f"read_csv got a {type(source).__name__}; expected bytes, a path or a binary file object.")
    if size > limits.max_bytes:
        shown = f"more than {_bytes(limits.max_bytes)}" if hasattr(source, "read") else _bytes(size)
        raise DataError(
            f"The file is {shown}; the limit is {_bytes(limits.max_bytes)}. "
            "Upload a smaller file or raise SLSTM_MAX_BYTES."
        )
    return data, name or default


def _bytes(size: int) -> str:
    return f"{n(size)} bytes" + (f" ({size / 2**20:.1f} MB)" if size >= 2**20 else "")


def _drop_nameless_empty(names: list[str], cells: list[pd.Series], steps: list[str]) -> tuple[list, list]:
    drop = [j for j, name in enumerate(names) if not name.strip() and not _has_values(cells[j])]
    if not drop or len(drop) == len(names):
        return names, cells
    shown = lines_list([j + 1 for j in drop], noun="column")
    steps.append(f"Dropped {count(len(drop), 'column')} with no name and no values ({shown}).")
    return [x for j, x in enumerate(names) if j not in drop], [x for j, x in enumerate(cells) if j not in drop]


def _has_values(s: pd.Series) -> bool:
    return bool(s.notna().any() if s.dtype.kind == "f" else (s != "").any())


def _numbers(raw: pd.Series, decimal: str) -> tuple[pd.Series, np.ndarray, int]:
    """Floats; a mask of filled cells that are not numbers (blank and NA cells are missing, not unreadable);
    how many cells had thousands separators."""
    if raw.dtype.kind == "f":  # pandas' C parser read every cell as a number
        return raw, np.zeros(len(raw), dtype=bool), 0
    text, thousands = raw, 0
    if decimal == ",":
        grouped = np.array(raw.str.fullmatch(_THOUSANDS[","]), dtype=bool)
        if thousands := int(grouped.sum()):  # 1.234,5 -> 1234,5
            text = raw.mask(grouped, raw.str.replace(".", "", regex=False))
        text = text.str.replace(",", ".", regex=False)
    filled = np.array(~raw.str.lower().isin(_MISSING), dtype=bool)
    head = text[filled].iloc[:100]
    if len(head) == 100 and pd.to_numeric(head, errors="coerce").notna().sum() < 50:  # text: skip the slow parse
        return pd.Series(np.nan, index=raw.index), filled, 0
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    failed = np.array(values.isna(), dtype=bool) & filled
    if decimal == "." and failed.any():
        idx = np.flatnonzero(failed)
        grouped = np.array(raw.iloc[idx].str.fullmatch(_THOUSANDS["."]), dtype=bool)
        if grouped.any():  # 1,234.5 -> 1234.5
            fixed = raw.iloc[idx[grouped]].str.replace(",", "", regex=False)
            values.iloc[idx[grouped]] = pd.to_numeric(fixed, errors="coerce").to_numpy()
            failed[idx[grouped]] = False
            thousands = int(grouped.sum())
    return values, failed, thousands


def _type_columns(names, raw, cells, lines, decimal, steps, notes) -> tuple[pd.DataFrame, list, str | None]:
    """Numbers, text or time per column: unreadable cells and ±inf become NaN; rows without a time are dropped."""
    numbers = [_numbers(s, decimal) for s in cells]
    kinds = []
    for values, failed, _ in numbers:
        read, bad = int(values.notna().sum()), int(failed.sum())
        kinds.append("numeric" if read >= 0.8 * (read + bad) else "text")
    keep, time = np.ones(len(lines), dtype=bool), None
    if (found := _find_time(names, cells, numbers, kinds, steps, notes)) is not None:
        j, parsed = found
        time, keep = names[j], np.array(parsed.notna(), dtype=bool)
        filled = numbers[j][1] if kinds[j] == "numeric" else np.array(~cells[j].str.lower().isin(_MISSING))
        bad = ~keep & filled
        if not keep.all():
            example = f"; e.g. {cells[j][bad].iloc[0]!r}" if bad.any() else ""
            steps.append(
                f"Dropped {count(int((~keep).sum()), 'row')} whose {time!r} is empty or not a time "
                f"({lines_list(lines[~keep].tolist())}{example})."
            )
        numbers[j], kinds[j] = (parsed, bad, 0), "time"
    data, infos = {}, []
    for name, original, s, (values, failed, thousands), kind in zip(names, raw, cells, numbers, kinds, strict=True):
        infinite, unreadable = 0, int((failed if kind == "time" else failed & keep).sum())
        if kind == "numeric":
            if unreadable:
                where = failed & keep
                steps.append(
                    f"Column {name!r}: {count(unreadable, 'cell')} could not be read as numbers "
                    f"({lines_list(lines[where].tolist())}; e.g. {s[where].iloc[0]!r}) and "
                    f"{'is' if unreadable == 1 else 'are'} now missing."
                )
            if thousands:
                steps.append(f"Column {name!r}: removed thousands separators from {count(thousands, 'number')}.")
            inf = np.isinf(values.to_numpy())
            if infinite := int((inf & keep).sum()):
                steps.append(f"Column {name!r}: replaced {count(infinite, 'infinite value')} (±inf) with missing.")
            values = values.mask(inf)
        elif kind == "text":
            if read := int(values.notna().sum()):
                notes.append(
                    f"Column {name!r} was kept as text: only {read / (read + unreadable):.0%} of its filled cells "
                    f"are numbers (e.g. {s[failed].iloc[0]!r} is not). Fix those cells to use it as a feature."
                )
            values, unreadable = s.where(~s.str.lower().isin(_MISSING)), 0
        data[name] = values[keep].reset_index(drop=True)
        infos.append(ColumnInfo(name, original, kind, unreadable, 0, infinite, False))
    return pd.DataFrame(data), infos, time


def _find_time(names, cells, numbers, kinds, steps, notes) -> tuple[int, pd.Series] | None:
    """The first column named like time (numbers in order, or dates) or holding mostly dates."""
    for j, (name, s) in enumerate(zip(names, cells, strict=True)):
        named = bool(_TIME_NAME.search(name))
        if kinds[j] == "numeric" and named:
            values = numbers[j][0]
            if values.notna().any() and values.dropna().is_monotonic_increasing:
                steps.append(f"Time column: {name!r} (numbers in increasing order).")
                return j, values
            notes.append(
                f"Column {name!r} is named like a time column but its numbers are not in increasing order; "
                "it is kept as a numeric column, not used as the time axis."
            )
        elif kinds[j] == "text":
            filled = np.array(~s.str.lower().isin(_MISSING), dtype=bool)
            if not filled.any() or (not named and s[filled].iloc[:200].str.contains(r"\d").mean() < 0.8):
                continue
            if (found := _parse_dates(s.where(filled), s[filled], guess_freely=named)) is not None:
                parsed, fmt = found
                zone = f", time zone {parsed.dt.tz}" if parsed.dt.tz is not None else ""
                steps.append(f"Time column: {name!r} (read as dates/times, format {fmt}{zone}).")
                return j, parsed
            if named:
                notes.append(
                    f"Column {name!r} is named like a time column, but fewer than 80% of its cells read as "
                    "dates or times; it is kept as text. Write dates like 2024-01-31 or 2024-01-31 13:45."
                )
    return None


def _parse_dates(values: pd.Series, filled: pd.Series, *, guess_freely: bool) -> tuple[pd.Series, str] | None:
    """Dates parsed with the format that reads most of a sample (at least 80 %), or None. Only a column named
    like time may use dateutil's free-form guessing ('mixed'), which reads '1a' as 1 a.m. in the year 1."""
    sample = filled.iloc[:: max(1, len(filled) // 200)].iloc[:200]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns while it guesses formats; the rate below decides
        formats = []
        for value in sample.iloc[:20]:
            for dayfirst in (False, True):
                try:
                    fmt = guess_datetime_format(value, dayfirst=dayfirst)
                except _PARSE_ERRORS:
                    fmt = None
                if fmt and fmt not in formats:
                    formats.append(fmt)
        best, best_rate = None, 0.0
        for fmt in (*formats, "%H:%M:%S", "%H:%M", "ISO8601", *(["mixed"] if guess_freely else [])):
            parsed = _to_datetime(sample, fmt)
            if (rate := float((parsed.dt.year >= 1000).mean())) > best_rate:
                best, best_rate = fmt, rate
            if rate == 1.0:
                break
        return (_to_datetime(values, best), best) if best is not None and best_rate >= 0.8 else None


def _to_datetime(values: pd.Series, fmt: str) -> pd.Series:
    for utc in (False, True):  # mixed UTC offsets only parse with utc=True
        try:
            return pd.to_datetime(values, format=fmt, errors="coerce", utc=utc)
        except _PARSE_ERRORS:
            continue
    return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")


def _order_by_time(frame: pd.DataFrame, time: str, steps: list[str], notes: list[str]) -> pd.DataFrame:
    """Sort by the time column (stable); warn about repeated timestamps and gaps."""
    t = frame[time]
    if not t.is_monotonic_increasing:
        why = "in reverse time order" if t.is_monotonic_decreasing else "not in time order"
        frame = frame.sort_values(time, kind="stable", ignore_index=True)
        steps.append(f"Sorted {count(len(frame), 'row')} by {time!r} (the file was {why}).")
        t = frame[time]
    if (dup := t.duplicated()).any():
        notes.append(
            f"Column {time!r} has {count(int(dup.sum()), 'repeated timestamp')} (first: {_stamp(t[dup].iloc[0])}); "
            "the model sees them as separate steps. Aggregate or remove the repeats if that is wrong."
        )
    diffs = t.diff().iloc[1:]
    positive = diffs[diffs > (pd.Timedelta(0) if pd.api.types.is_datetime64_any_dtype(t) else 0)]
    if len(positive) >= 2:
        usual = positive.median()
        gaps = np.array(diffs > 1.5 * usual, dtype=bool)
        if gaps.any():
            notes.append(
                f"Column {time!r} has {count(int(gaps.sum()), 'gap')} longer than 1.5 × the usual step of "
                f"{_stamp(usual)} (the first after {_stamp(t.iloc[int(np.argmax(gaps))])}); "
                "windows across a gap join distant times."
            )
    return frame


def _stamp(value: object) -> str:
    """'2024-01-05' for a midnight timestamp, '1 day' / '01:00:00' for a step, '0.5' for a number."""
    if isinstance(value, pd.Timedelta):
        text = str(value).removesuffix(" 00:00:00").removeprefix("0 days ")
        return "1 day" if text == "1 days" else text
    return str(value).removesuffix(" 00:00:00") if isinstance(value, pd.Timestamp) else f"{value:g}"


def _summarise(frame: pd.DataFrame, infos: list[ColumnInfo], notes: list[str]) -> None:
    """Fill missing/constant per column; warn about empty, constant and mostly missing columns."""
    for info in infos:
        col = frame[info.name]
        info.missing = int(col.isna().sum())
        if info.kind != "numeric" or col.empty:
            continue
        if info.missing == len(col):
            notes.append(f"Column {info.name!r} has no values (all {count(len(col), 'cell')} are missing).")
        elif col.nunique() == 1 and len(col) - info.missing > 1:
            info.constant = True
            notes.append(
                f"Column {info.name!r} is constant (every value is {col.dropna().iloc[0]:g}): it carries no "
                "information and cannot be scaled (min = max); leave it out of the features."
            )
        elif info.missing > 0.5 * len(col):
            notes.append(f"Column {info.name!r} is {info.missing / len(col):.0%} missing.")
    if len(frame) < 10:
        notes.append(f"The table has only {count(len(frame), 'data row')}; training needs many more.")


def _check_usable(report: LoadReport) -> None:
    if any(c.kind == "numeric" and c.missing < report.rows for c in report.columns):
        return
    shown = ", ".join(f"{c.name!r} ({'empty' if c.kind == 'numeric' else c.kind})" for c in report.columns[:8])
    raise DataError(
        f"No column of numbers found (columns: {shown}{', …' if len(report.columns) > 8 else ''}). The model "
        f"needs at least one numeric column; check the delimiter (read as {DELIMITER_NAMES[report.delimiter]}) "
        f"and the decimal mark (read as {'comma' if report.decimal == ',' else 'point'})."
    )


def apply_missing(table: Table, policy: str, *, columns: list[str] | None = None) -> tuple[Table, str]:
    """Handle missing values in the numeric columns with 'drop', 'ffill', 'interpolate' or 'keep'.

    Returns a new Table (the input is left as it was) and a message, also appended to its report.steps.
    >>> apply_missing(read_csv(b"a,b\\n1,2\\n,4\\n3,6"), "ffill")[1]
    'Forward-filled 1 cell in 1 column; dropped 0 leading rows.'
    """
    if policy not in POLICIES:
        raise DataError(f"Unknown missing-value policy {policy!r}; expected one of {', '.join(map(repr, POLICIES))}.")
    columns = table.numeric_columns if columns is None else list(columns)
    if unknown := [c for c in columns if c not in table.numeric_columns]:
        raise DataError(f"apply_missing got {unknown}, not numeric columns; expected some of {table.numeric_columns}.")
    frame = table.frame.copy()
    empty = [c for c in columns if frame[c].isna().all()]  # filling cannot help; dropping would lose every row
    used = [c for c in columns if c not in empty]
    before = frame[used].isna()
    cells, touched = int(before.to_numpy().sum()), int(before.any().sum())
    where = f"{count(cells, 'cell')} in {count(touched, 'column')}"
    if policy == "keep":
        message = f"Kept {where} missing as they are."
    elif policy == "drop":
        rows = before.any(axis=1).to_numpy()
        frame = frame[~rows].reset_index(drop=True)
        message = f"Dropped {count(int(rows.sum()), 'row')} with missing values ({where})."
    elif policy == "ffill":
        frame[used] = frame[used].ffill()
        lead = frame[used].isna().any(axis=1).to_numpy()  # still missing: before the first value
        filled = cells - int(frame[used].isna().to_numpy().sum())
        frame = frame[~lead].reset_index(drop=True)
        message = (
            f"Forward-filled {count(filled, 'cell')} in {count(touched, 'column')}; "
            f"dropped {count(int(lead.sum()), 'leading row')}."
        )
    else:
        frame[used] = frame[used].interpolate(method="linear").ffill().bfill()
        message = f"Interpolated {where} (linear; the ends take the nearest value)."
    if empty:
        message += f" Left out {', '.join(map(repr, empty))}: no values at all."
    if frame.empty:
        raise DataError(
            f"Policy {policy!r} would leave no rows: every row misses a value in {', '.join(map(repr, used))}. "
            "Choose 'interpolate' or 'ffill', or leave out the columns with the most missing values."
        )
    infos = [dataclasses.replace(c, missing=int(frame[c.name].isna().sum())) for c in table.report.columns]
    steps, notes = [*table.report.steps, message], list(table.report.warnings)
    return Table(
        frame, dataclasses.replace(table.report, rows=len(frame), columns=infos, steps=steps, warnings=notes)
    ), message


def report_to_dict(report: LoadReport) -> dict:
    """The report as plain JSON-serialisable types (for `python -m slstm data FILE --json`)."""
    return dataclasses.asdict(report)


def format_report(table: Table) -> str:
    """The report as text: detected settings, one line per column, then steps and warnings."""
    r = table.report
    lines = [
        f"{r.name}: {count(r.rows, 'row')}, {count(len(r.columns), 'column')}",
        f"encoding {r.encoding}, delimiter {DELIMITER_NAMES[r.delimiter]}, decimal "
        f"{'comma' if r.decimal == ',' else 'point'}, header row {'yes' if r.header else 'no'}, "
        f"time column {r.time_column or '(none)'}",
        "",
        "columns:",
    ]
    width = min(30, max(len(c.name) for c in r.columns))
    for c in r.columns:
        extra = "".join(f", {k} {v}" for k, v in (("unreadable", c.unreadable), ("infinite", c.infinite)) if v)
        lines.append(
            f"  {c.name:<{width}}  {c.kind:<7}  missing {c.missing}{extra}{', constant' if c.constant else ''}"
        )
    for title, items in (("steps:", r.steps), ("warnings:", r.warnings)):
        lines += ["", title, *(f"  - {item}" for item in items or ["(none)"])]
    return "\n".join(lines)
