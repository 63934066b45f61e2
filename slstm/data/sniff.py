"""Sniffing for slstm.data.read, once slstm.data.decode has turned the bytes into text: detect the preamble,
delimiter, decimal mark and header row, and split the text into rows of equal width (reporting every row it
had to fix)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from slstm.data.decode import n
from slstm.errors import DataError, Listing, Message
from slstm.text import quote

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}  # also keys: csv.delimiter.<name>
NA_TOKENS = frozenset({"na", "n/a", "nan", "-nan", "null", "none", "#n/a", "#na", "<na>", "nat", "-", "?", "missing"})
_NA_CELLS = ["", *{v for t in NA_TOKENS for v in (t, t.upper(), t.title())}, "NaN", "#N/A", "N/A", "NULL"]
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?inf(inity)?", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+([eE][+-]?\d+)?")
_DECIMAL_POINT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d*)\.\d+([eE][+-]?\d+)?")
_BLANK = " \t\n\r\x0b\x0c"


class Spaced(int):
    """A count that a message writes with spaces between thousands ("{count}" -> '2 400'), and still a number
    for choosing the plural."""

    def __format__(self, spec: str) -> str:
        return n(int(self)) if not spec else format(int(self), spec)


def count(k: int, noun: str) -> Message:
    """A counted noun in each language's plural (catalog csv.count.<noun>): '1 row', '2 400 rows'; '2 400 行'."""
    return Message(f"csv.count.{noun}", count=Spaced(k))


def lines_list(numbers: list[int], *, limit: int = 5, noun: str = "file_line") -> Message:
    """'file line 4', 'file lines 4, 9, 17' or 'file lines 4, 9, 17, 20, 31, … (12 in all)' (csv.lines.<noun>)."""
    more = Message("csv.lines.more", total=n(len(numbers))) if len(numbers) > limit else ""
    which = noun if len(numbers) == 1 else f"{noun}s"  # one place, or a list of them
    return Message(f"csv.lines.{which}", shown=Listing(map(str, numbers[:limit])), more=more)


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    header: bool
    body: str  # the text from the header row (or the first data row) on
    first_line: int  # 1-based file line number of body's first line


def sniff(text: str, steps: list[str]) -> Dialect:
    """Skip leading comment lines, then detect delimiter, decimal mark and header row from the first 50 lines."""
    head = text.split("\n", 1000)[:1000]
    skip = count_preamble(head)
    body = text[sum(len(line) + 1 for line in head[:skip]) :]
    if not body.strip():
        raise DataError("dataerr.only_comments")
    sample = [line for line in head[skip:] if line.strip()][:50]
    delimiter = _delimiter(sample, steps)
    rows = sample_rows(sample, delimiter)
    decimal = sniff_decimal(rows, delimiter)
    if decimal == ",":
        steps.append(Message("csv.step.decimal_comma"))
    header = detect_header(rows, decimal)
    if skip and not header:  # numpy.savetxt writes the header as a comment: '# a,b,c'
        line = comment_header(head[skip - 1], delimiter=delimiter, width=len(rows[0]), decimal=decimal)
        if line is not None:
            body, skip, header = f"{line}\n{body}", skip - 1, True
            steps.append(Message("csv.step.comment_header", line=skip + 1, text=repr(head[skip].strip())))
    if skip:
        steps.insert(1, Message("csv.step.skipped_preamble", lines=count(skip, "comment_or_blank_line")))
    return Dialect(delimiter, decimal, header, body, skip + 1)


def _delimiter(sample: list[str], steps: list[str]) -> str:
    if (delimiter := sniff_delimiter(sample)) is not None:
        steps.append(Message("csv.step.delimiter", name=delimiter_name(delimiter)))
        return delimiter
    if not any(is_number(line, ".") or is_number(line, ",") for line in sample):
        raise DataError("dataerr.single_text_column")
    steps.append(Message("csv.step.no_delimiter"))
    return ","


def delimiter_name(delimiter: str) -> Message:
    """'comma', 'semicolon', 'tab' or 'pipe' in each language."""
    return Message(f"csv.delimiter.{DELIMITER_NAMES[delimiter]}")


def count_preamble(lines: list[str]) -> int:
    """Number of leading blank lines and lines starting with '#'."""
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            return i
    return len(lines)


def sniff_delimiter(sample: list[str]) -> str | None:
    """The delimiter among , ; tab | that splits the sample into a consistent number (> 1) of fields, or None."""
    best, best_key = None, None
    for priority, delimiter in enumerate(("\t", ";", "|", ",")):
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        share = freq / len(counts)
        if width < 2:
            continue
        key = (share >= 0.9, min(share, 0.9), -priority)  # consistent first, then tab ; | before comma
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    return best


def is_number(cell: str, decimal: str) -> bool:
    c = cell.strip()
    if decimal == ",":
        c = c.replace(".", "").replace(",", ".")
    return bool(_NUMBER.fullmatch(c))


def is_blank(cell: str) -> bool:
    c = cell.strip()
    return not c or c.lower() in NA_TOKENS


def sniff_decimal(rows: list[list[str]], delimiter: str) -> str:
    """',' when the delimiter is not a comma and numbers look like 1,5 more often than like 1.5; else '.'."""
    if delimiter == ",":
        return "."
    cells = [c.strip() for row in rows for c in row]
    commas = sum(bool(_DECIMAL_COMMA.fullmatch(c)) for c in cells)
    points = sum(bool(_DECIMAL_POINT.fullmatch(c)) for c in cells)
    return "," if commas > points else "."


def detect_header(rows: list[list[str]], decimal: str) -> bool:
    """True when the first row names the columns: a text cell above mostly numbers, or all text everywhere."""
    first, rest = rows[0], rows[1:]
    filled = [c for c in first if not is_blank(c)]
    all_text = bool(filled) and not any(is_number(c, decimal) for c in filled)
    if not rest:
        return all_text
    any_numeric_below = False
    for j, cell in enumerate(first):
        below = [r[j] for r in rest if len(r) > j and not is_blank(r[j])]
        if below and sum(is_number(c, decimal) for c in below) >= 0.5 * len(below):
            any_numeric_below = True
            if not is_blank(cell) and not is_number(cell, decimal):
                return True
    return all_text and not any_numeric_below


def comment_header(line: str, *, delimiter: str, width: int, decimal: str) -> str | None:
    """The header row hidden in a last comment line ('# a,b,c' as numpy.savetxt writes it), or None."""
    text = re.sub(r"^\s*#\s*", "", line)
    text = line if text.startswith(delimiter) else text  # '#,value': the first column is named '#'
    cells = sample_rows([text], delimiter)
    if not line.lstrip().startswith("#") or not cells or len(cells[0]) != width or width < 2:
        return None
    return text if all(c.strip() and not is_number(c, decimal) for c in cells[0]) else None


def read_cells(
    dialect: Dialect, *, max_rows: int, max_columns: int, steps: list[str]
) -> tuple[list[str], list[pd.Series], np.ndarray]:
    """Header cells ('' per column without a header), one Series per column, and each row's file line number.

    A column is float64 where pandas' C parser read every cell as a number (or blank), else str, stripped, with ''
    for blank cells. Files without quotes whose rows all have the same width take that fast path."""
    d = dialect
    if '"' not in d.body and (fast := _read_even(d.body, d.delimiter, d.decimal, d.header)) is not None:
        names, cells, keep, blank = fast
        _check_size(len(keep), len(names), max_rows, max_columns)
        if blank:
            steps.append(Message("csv.step.blank_lines", lines=count(blank, "blank_line")))
        return names, cells, np.asarray(keep) + d.first_line
    rows, lines, total, blank = parse_rows(d.body, delimiter=d.delimiter, first_line=d.first_line, max_rows=max_rows)
    check_quotes(rows, lines, d.body)
    if not rows:
        raise DataError("dataerr.no_values")
    if blank:
        steps.append(Message("csv.step.blank_lines", lines=count(blank, "blank_line")))
    names, rows, lines = split_header(rows, lines, header=d.header, steps=steps)
    _check_size(total - d.header, len(names), max_rows, max_columns)
    rows, lines = fit_width(rows, lines, len(names), d.delimiter, steps)
    cells = [pd.Series(col, dtype="str").str.strip() for col in zip(*rows, strict=True)]
    multi = np.logical_or.reduce([np.array(c.str.contains("\n", regex=False), dtype=bool) for c in cells])
    if multi.any():
        spans = np.max([np.array(c.str.count("\n"), dtype=int) for c in cells], axis=0)[multi]
        steps.append(
            Message(
                "csv.step.multiline",
                rows=count(int(multi.sum()), "row"),
                where=lines_list(np.asarray(lines)[multi].tolist()),
                further=count(int(spans.sum()), "further_line"),
            )
        )
    return names, cells, np.asarray(lines)


def check_quotes(rows: list[list[str]], lines: list[int], body: str) -> None:
    """Refuse a quote that opens and never closes: the csv module then reads the rest of the file into one cell
    of the last row (a quoted value that does close ends before the file's last characters, its closing quote)."""
    if not rows:
        return
    tail = body.rstrip(_BLANK)
    for cell in rows[-1]:
        if "\n" in cell and (value := cell.rstrip(_BLANK)) and tail.endswith(value):
            swallowed = value.count("\n")
            raise DataError("dataerr.unclosed_quote", line=lines[-1], lines=count(swallowed, "line"))


def _read_even(body: str, delimiter: str, decimal: str, header: bool) -> tuple | None:
    """Names, columns, data line offsets and blank-line count via pandas' C parser, or None unless every
    non-blank line has the same number of fields (ragged files go through parse_rows, which reports fixes)."""
    texts = body.split("\n")
    keep = [i for i, text in enumerate(texts) if text.strip(_BLANK + delimiter)]
    widths = {texts[i].count(delimiter) for i in keep}
    if len(widths) != 1 or len(keep) <= header:
        return None
    names = texts[keep[0]].split(delimiter) if header else [""] * (widths.pop() + 1)
    data = "\n".join(texts[i] for i in keep[header:])
    options = {"sep": delimiter, "header": None, "names": list(range(len(names))), "index_col": False}
    try:
        frame = pd.read_csv(
            io.StringIO(data), **options, keep_default_na=False, na_values=_NA_CELLS, decimal=decimal,
            quoting=csv.QUOTE_NONE, engine="c", low_memory=False,
        )  # fmt: skip
    except (ValueError, pd.errors.ParserError):
        return None
    if len(frame) != len(keep) - header:
        return None
    return names, [_column(frame[j]) for j in frame.columns], keep[header:], len(texts) - len(keep) - (texts[-1] == "")


def _column(s: pd.Series) -> pd.Series:
    if s.dtype.kind in "iuf":
        return s.astype("float64")
    return s.astype("str").where(s.notna(), "").str.strip()


def _check_size(rows: int, columns: int, max_rows: int, max_columns: int) -> None:
    if rows > max_rows:
        raise DataError("dataerr.too_many_rows", rows=n(rows), limit=n(max_rows))
    if columns > max_columns:
        raise DataError("dataerr.too_many_columns", columns=n(columns), limit=n(max_columns))


def parse_rows(body: str, *, delimiter: str, first_line: int, max_rows: int) -> tuple[list, list[int], int, int]:
    """Split quoted CSV text into rows with the csv module. Returns rows (at most max_rows + 1), their 1-based
    file line numbers, the total row count, and the number of skipped blank lines."""
    rows: list[list[str]] = []
    lines: list[int] = []
    total = skipped = previous = 0
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    try:
        for row in reader:
            line, previous = first_line + previous, reader.line_num
            if not row or not (row[0].strip() or "".join(row).strip()):
                skipped += 1
                continue
            total += 1
            if total <= max_rows + 1:
                rows.append(row)
                lines.append(line)
    except csv.Error as e:
        raise DataError("dataerr.unreadable_line", line=first_line + reader.line_num - 1, error=str(e)) from None
    return rows, lines, total, skipped


def fit_width(
    rows: list[list[str]], lines: list[int], width: int, delimiter: str, steps: list[str]
) -> tuple[list[list[str]], list[int]]:
    """Pad short rows, trim empty trailing fields, drop (few) rows with too many fields: all reported in steps."""
    out, kept, short, trailing, long_rows = [], [], [], 0, []
    for row, line in zip(rows, lines, strict=True):
        if len(row) < width:
            short.append(line)
            row = row + [""] * (width - len(row))
        elif len(row) > width:
            if any(c.strip() for c in row[width:]):
                long_rows.append((line, len(row)))
                continue
            trailing += 1
            row = row[:width]
        out.append(row)
        kept.append(line)
    if long_rows:
        where = lines_list([ln for ln, _ in long_rows])
        first_line, first_width = long_rows[0]
        if len(long_rows) > 0.1 * len(rows):
            raise DataError(
                "dataerr.too_many_long_rows",
                long=n(len(long_rows)),
                rows=count(len(rows), "row"),
                width=width,
                where=where,
                line=first_line,
                first_width=first_width,
                name=delimiter_name(delimiter),
                delimiter=repr(delimiter),
            )
        steps.append(
            Message(
                "csv.step.dropped_long_rows",
                rows=count(len(long_rows), "row"),
                width=width,
                where=where,
                name=delimiter_name(delimiter),
            )
        )
    if short:
        steps.append(
            Message("csv.step.padded_short", rows=count(len(short), "short_row"), where=lines_list(short), width=width)
        )
    if trailing:
        steps.append(Message("csv.step.trailing_fields", rows=count(trailing, "row")))
    return out, kept


def split_header(rows: list, lines: list[int], *, header: bool, steps: list[str]) -> tuple[list[str], list, list]:
    """Header cells (or '' per column without a header), then the data rows and their file line numbers."""
    width = Counter(len(r) for r in rows[header:]).most_common(1)[0][0] if len(rows) > header else 0
    if not header:
        return [""] * width, rows, lines
    names = list(rows[0])
    if len(rows) == 1:
        shown = Listing([*(quote(c.strip(), 30) for c in names[:10]), *(["…"] if len(names) > 10 else [])])
        raise DataError("dataerr.header_only", columns=shown)
    trimmed = 0
    while len(names) > max(width, 1) and not names[-1].strip():
        names.pop()
        trimmed += 1
    if trimmed:
        steps.append(Message("csv.step.trailing_names", names=count(trimmed, "empty_name")))
    return names, rows[1:], lines[1:]


def name_columns(raw: list[str], *, header: bool, steps: list[str]) -> list[str]:
    """Unique, stripped column names: col_1.. without a header; column_3 for an empty name; x, x_2 for repeats."""
    if not header:
        steps.append(Message("csv.step.no_header", last=len(raw)))
        return [f"col_{j + 1}" for j in range(len(raw))]
    names = [r.strip() for r in raw]
    if spaced := sum(a != b for a, b in zip(names, raw, strict=True)):
        steps.append(Message("csv.step.stripped_names", names=count(spaced, "column_name")))
    if empty := [j for j, name in enumerate(names) if not name]:
        for j in empty:
            names[j] = f"column_{j + 1}"
        shown = Listing(repr(names[j]) for j in empty)
        steps.append(Message("csv.step.named_empty", names=count(len(empty), "empty_column_name"), shown=shown))
    counts, taken, renames = Counter(names), set(names), {}
    for j, name in enumerate(names):
        if counts[name] > 1:
            if name in renames:
                k = 2
                while f"{name}_{k}" in taken:
                    k += 1
                names[j] = f"{name}_{k}"
                taken.add(names[j])
            renames.setdefault(name, []).append(names[j])
    if renames:
        total = sum(len(v) for v in renames.values())
        parts = "; ".join(f"{old!r} -> {', '.join(map(repr, new))}" for old, new in renames.items())
        steps.append(Message("csv.step.renamed_duplicates", names=count(total, "duplicate_column_name"), parts=parts))
    return names


def sample_rows(sample: list[str], delimiter: str) -> list[list[str]]:
    """The first lines split into fields, for detect_header and sniff_decimal."""
    try:
        return [row for row in csv.reader(sample, delimiter=delimiter) if row]
    except csv.Error as e:
        raise DataError("dataerr.first_lines_unreadable", error=str(e)) from None
