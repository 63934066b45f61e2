"""Read any reasonable CSV into a clean DataFrame plus a LoadReport of every step; refuse the rest with a
DataError that says what to fix. `decode` turns bytes into text, `sniff` text into named columns; this file
types them and finds time."""

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

from slstm.data import decode, sniff
from slstm.data.sniff import NA_TOKENS, Spaced, count, delimiter_name, lines_list
from slstm.errors import DataError, Listing, Message, localize
from slstm.i18n import DEFAULT_LANGUAGE, t
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
                    raise DataError("dataerr.bad_limit", key=key, raw=repr(raw), default=f.default)
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
    steps: list[str]  # every detection/cleaning step, in plain words (each a Message: English, or .text(lang))
    warnings: list[str]  # things to look at that did not change the data (Messages too)


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
    text, encoding, steps = decode.decode(data)
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
        listed = Listing([*(quote(c, 40) for c in changed[:5]), *(["…"] if len(changed) > 5 else [])])
        notes.append(Message("csv.note.invisible_names", names=count(len(changed), "column_name"), listed=listed))
    return out


def _read_source(source: object, name: str | None, limits: Limits) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data, default = bytes(source), "data"
        size = len(data)
    elif isinstance(source, str | os.PathLike):
        if isinstance(source, str) and "\n" in source:
            raise DataError("dataerr.string_with_line_breaks")
        path = Path(source)
        if not path.is_file():
            raise DataError("dataerr.no_file", path=repr(str(path)), cwd=repr(os.getcwd()))
        size, default = path.stat().st_size, path.name
        data = path.read_bytes() if size <= limits.max_bytes else b""
    elif hasattr(source, "read"):
        data = source.read(limits.max_bytes + 1)  # stop reading just past the limit
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        default, size = Path(str(getattr(source, "name", "data"))).name, len(data)
    else:
        raise DataError("dataerr.bad_source", type=type(source).__name__)
    if size > limits.max_bytes:
        shown = Message("dataerr.more_than", size=_bytes(limits.max_bytes)) if hasattr(source, "read") else _bytes(size)
        raise DataError("dataerr.too_big", size=shown, limit=_bytes(limits.max_bytes))
    return data, name or default


def _bytes(size: int) -> Message:
    mb = Message("dataerr.megabytes", mb=f"{size / 2**20:.1f}") if size >= 2**20 else ""
    return Message("dataerr.bytes", count=Spaced(size), mb=mb)


def _drop_nameless_empty(names: list[str], cells: list[pd.Series], steps: list[str]) -> tuple[list, list]:
    drop = [j for j, name in enumerate(names) if not name.strip() and not _has_values(cells[j])]
    if not drop or len(drop) == len(names):
        return names, cells
    shown = lines_list([j + 1 for j in drop], noun="column")
    steps.append(Message("csv.step.dropped_nameless", columns=count(len(drop), "column"), shown=shown))
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
            example = Message("csv.example", value=repr(cells[j][bad].iloc[0])) if bad.any() else ""
            rows = count(int((~keep).sum()), "row")
            where = lines_list(lines[~keep].tolist())
            steps.append(Message("csv.step.dropped_no_time", rows=rows, time=repr(time), where=where, example=example))
        numbers[j], kinds[j] = (parsed, bad, 0), "time"
    data, infos = {}, []
    for name, original, s, (values, failed, thousands), kind in zip(names, raw, cells, numbers, kinds, strict=True):
        infinite, unreadable = 0, int((failed if kind == "time" else failed & keep).sum())
        if kind == "numeric":
            if unreadable:
                where = failed & keep
                steps.append(
                    Message(
                        "csv.step.unreadable_numbers",
                        name=repr(name),
                        count=Spaced(unreadable),
                        where=lines_list(lines[where].tolist()),
                        value=repr(s[where].iloc[0]),
                    )
                )
            if thousands:
                steps.append(Message("csv.step.thousands", name=repr(name), numbers=count(thousands, "number")))
            inf = np.isinf(values.to_numpy())
            if infinite := int((inf & keep).sum()):
                steps.append(Message("csv.step.infinite", name=repr(name), values=count(infinite, "infinite_value")))
            values = values.mask(inf)
        elif kind == "text":
            if read := int(values.notna().sum()):
                share = f"{read / (read + unreadable):.0%}"
                notes.append(
                    Message("csv.note.kept_as_text", name=repr(name), share=share, value=repr(s[failed].iloc[0]))
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
                steps.append(Message("csv.step.time_numbers", name=repr(name)))
                return j, values
            notes.append(Message("csv.note.time_not_increasing", name=repr(name)))
        elif kinds[j] == "text":
            filled = np.array(~s.str.lower().isin(_MISSING), dtype=bool)
            if not filled.any() or (not named and s[filled].iloc[:200].str.contains(r"\d").mean() < 0.8):
                continue
            if (found := _parse_dates(s.where(filled), s[filled], guess_freely=named)) is not None:
                parsed, fmt = found
                zone = Message("csv.time_zone", zone=str(parsed.dt.tz)) if parsed.dt.tz is not None else ""
                steps.append(Message("csv.step.time_dates", name=repr(name), format=fmt, zone=zone))
                return j, parsed
            if named:
                notes.append(Message("csv.note.time_unreadable", name=repr(name)))
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
        why = Message("csv.order.reverse" if t.is_monotonic_decreasing else "csv.order.unsorted")
        frame = frame.sort_values(time, kind="stable", ignore_index=True)
        steps.append(Message("csv.step.sorted", rows=count(len(frame), "row"), time=repr(time), why=why))
        t = frame[time]
    if (dup := t.duplicated()).any():
        stamps, first = count(int(dup.sum()), "repeated_timestamp"), _stamp(t[dup].iloc[0])
        notes.append(Message("csv.note.repeated", time=repr(time), stamps=stamps, first=first))
    diffs = t.diff().iloc[1:]
    positive = diffs[diffs > (pd.Timedelta(0) if pd.api.types.is_datetime64_any_dtype(t) else 0)]
    if len(positive) >= 2:
        usual = positive.median()
        gaps = np.array(diffs > 1.5 * usual, dtype=bool)
        if gaps.any():
            after = _stamp(t.iloc[int(np.argmax(gaps))])
            gaps = count(int(gaps.sum()), "gap")
            notes.append(Message("csv.note.gaps", time=repr(time), gaps=gaps, usual=_stamp(usual), after=after))
    return frame


def _stamp(value: object) -> str:
    """'2024-01-05' for a midnight timestamp, '1 day' / '2 days 03:00:00' / '01:00:00' for a step (days in each
    language), '0.5' for a number."""
    if isinstance(value, pd.Timedelta):
        days, clock = value.days, str(value - pd.Timedelta(days=value.days)).removeprefix("0 days ")
        if days == 0 or value < pd.Timedelta(0):
            return str(value).removesuffix(" 00:00:00").removeprefix("0 days ")
        rest = "" if clock == "00:00:00" else Message("csv.clock", clock=clock)
        return Message("csv.count.day", count=Spaced(days), rest=rest)
    return str(value).removesuffix(" 00:00:00") if isinstance(value, pd.Timestamp) else f"{value:g}"


def _summarise(frame: pd.DataFrame, infos: list[ColumnInfo], notes: list[str]) -> None:
    """Fill missing/constant per column; warn about empty, constant and mostly missing columns."""
    for info in infos:
        col = frame[info.name]
        info.missing = int(col.isna().sum())
        if info.kind != "numeric" or col.empty:
            continue
        if info.missing == len(col):
            notes.append(Message("csv.note.no_values", name=repr(info.name), cells=count(len(col), "cell")))
        elif col.nunique() == 1 and len(col) - info.missing > 1:
            info.constant = True
            notes.append(Message("csv.note.constant", name=repr(info.name), value=f"{col.dropna().iloc[0]:g}"))
        elif info.missing > 0.5 * len(col):
            notes.append(
                Message("csv.note.mostly_missing", name=repr(info.name), share=f"{info.missing / len(col):.0%}")
            )
    if len(frame) < 10:
        notes.append(Message("csv.note.few_rows", rows=count(len(frame), "data_row")))


def _check_usable(report: LoadReport) -> None:
    if any(c.kind == "numeric" and c.missing < report.rows for c in report.columns):
        return
    shown = Listing(
        [
            *(
                Message("dataerr.column_kind", name=repr(c.name), kind=Message(f"csv.kind.{_shown_kind(c)}"))
                for c in report.columns[:8]
            ),
            *(["…"] if len(report.columns) > 8 else []),
        ]
    )
    raise DataError(
        "dataerr.no_numeric_column",
        columns=shown,
        delimiter=delimiter_name(report.delimiter),
        decimal=_decimal_name(report.decimal),
    )


def _shown_kind(c: ColumnInfo) -> str:
    return "empty" if c.kind == "numeric" else c.kind


def _decimal_name(decimal: str) -> Message:
    return Message("csv.decimal.comma" if decimal == "," else "csv.decimal.point")


def apply_missing(table: Table, policy: str, *, columns: list[str] | None = None) -> tuple[Table, str]:
    """Handle missing values in the numeric columns with 'drop', 'ffill', 'interpolate' or 'keep'.

    Returns a new Table (the input is left as it was) and a message (a Message), also appended to its report.steps.
    >>> apply_missing(read_csv(b"a,b\\n1,2\\n,4\\n3,6"), "ffill")[1]
    'Forward-filled 1 cell in 1 column; dropped 0 leading rows.'
    """
    if policy not in POLICIES:
        raise DataError("dataerr.unknown_policy", policy=repr(policy), expected=Listing(map(repr, POLICIES)))
    columns = table.numeric_columns if columns is None else list(columns)
    if unknown := [c for c in columns if c not in table.numeric_columns]:
        raise DataError("dataerr.not_numeric_columns", unknown=str(unknown), expected=str(table.numeric_columns))
    frame = table.frame.copy()
    empty = [c for c in columns if frame[c].isna().all()]  # filling cannot help; dropping would lose every row
    used = [c for c in columns if c not in empty]
    before = frame[used].isna()
    cells, touched = int(before.to_numpy().sum()), int(before.any().sum())
    where = Message("csv.missing.where", cells=count(cells, "cell"), columns=count(touched, "column"))
    left_out = Message("csv.missing.left_out", names=Listing(map(repr, empty))) if empty else ""
    if policy == "keep":
        message = Message("csv.missing.keep", where=where, left_out=left_out)
    elif policy == "drop":
        rows = before.any(axis=1).to_numpy()
        frame = frame[~rows].reset_index(drop=True)
        message = Message("csv.missing.drop", rows=count(int(rows.sum()), "row"), where=where, left_out=left_out)
    elif policy == "ffill":
        frame[used] = frame[used].ffill()
        lead = frame[used].isna().any(axis=1).to_numpy()  # still missing: before the first value
        filled = cells - int(frame[used].isna().to_numpy().sum())
        frame = frame[~lead].reset_index(drop=True)
        message = Message(
            "csv.missing.ffill",
            cells=count(filled, "cell"),
            columns=count(touched, "column"),
            lead=count(int(lead.sum()), "leading_row"),
            left_out=left_out,
        )
    else:
        frame[used] = frame[used].interpolate(method="linear").ffill().bfill()
        message = Message("csv.missing.interpolate", where=where, left_out=left_out)
    if frame.empty:
        raise DataError("dataerr.policy_leaves_no_rows", policy=repr(policy), columns=Listing(map(repr, used)))
    infos = [dataclasses.replace(c, missing=int(frame[c.name].isna().sum())) for c in table.report.columns]
    steps, notes = [*table.report.steps, message], list(table.report.warnings)
    return Table(
        frame, dataclasses.replace(table.report, rows=len(frame), columns=infos, steps=steps, warnings=notes)
    ), message


def report_to_dict(report: LoadReport) -> dict:
    """The report as plain JSON-serialisable types (for `python -m slstm data FILE --json`)."""
    return dataclasses.asdict(report)


def format_report(table: Table, *, lang: str = DEFAULT_LANGUAGE) -> str:
    """The report as text in `lang`: detected settings, one line per column, then steps and warnings."""
    r = table.report

    def _(key: str, **fields) -> str:
        return Message(f"csv.report.{key}", **fields).text(lang)

    settings = {
        "encoding": r.encoding,
        "delimiter": delimiter_name(r.delimiter).text(lang),
        "decimal": _decimal_name(r.decimal).text(lang),
        "header": _("yes" if r.header else "no"),
        "time": r.time_column or _("no_time"),
    }
    lines = [
        _("title", name=r.name, rows=count(r.rows, "row"), columns=count(len(r.columns), "column")),
        _("settings", **settings),
        "",
        _("columns"),
    ]
    width = min(30, max(len(c.name) for c in r.columns))
    kinds = {kind: t(f"csv.kind.{kind}", lang) for kind in ("numeric", "text", "time")}
    kind_width = max(_width(k) for k in kinds.values())
    for c in r.columns:
        parts = [_("missing", n=c.missing)]
        parts += [_(k, n=v) for k, v in (("unreadable", c.unreadable), ("infinite", c.infinite)) if v]
        parts += [_("constant")] if c.constant else []
        kind = kinds[c.kind] + " " * (kind_width - _width(kinds[c.kind]))
        lines.append(f"  {c.name:<{width}}  {kind}  {_('separator').join(parts)}")
    for title, items in (("steps", r.steps), ("warnings", r.warnings)):
        lines += ["", _(title), *(f"  - {localize(item, lang)}" for item in items or [_("none")])]
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns a text takes in a monospaced font: a CJK character takes two."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in text)
