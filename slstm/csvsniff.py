"""Sniffing for csvio: refuse content that is not CSV text, then detect encoding, delimiter, decimal mark,
header row, and split the text into rows of equal width (reporting every row it had to fix)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from slstm.errors import DataError
from slstm.text import quote

DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
NA_TOKENS = frozenset({"na", "n/a", "nan", "-nan", "null", "none", "#n/a", "#na", "<na>", "nat", "-", "?", "missing"})
_NA_CELLS = ["", *{v for t in NA_TOKENS for v in (t, t.upper(), t.title())}, "NaN", "#N/A", "N/A", "NULL"]
SAVE_AS_CSV = "save it as CSV (File > Save As > CSV) and upload that"
_SIGNATURES = (
    (b"PK\x03\x04", "looks like an Excel .xlsx workbook or a zip archive", SAVE_AS_CSV),
    (b"PK\x05\x06", "looks like an empty zip archive", SAVE_AS_CSV),
    (b"\x1f\x8b", "is gzip-compressed", "decompress it (e.g. gunzip) and upload the .csv inside"),
    (b"\xd0\xcf\x11\xe0", "looks like an old Excel .xls workbook (or another Office file)", SAVE_AS_CSV),
    (b"%PDF", "is a PDF document", "export the table from its source as CSV and upload that"),
    (b"\x89PNG", "is a PNG image", "upload the data as a CSV file, not a picture of it"),
    (b"\xff\xd8\xff", "is a JPEG image", "upload the data as a CSV file, not a picture of it"),
    (b"GIF8", "is a GIF image", "upload the data as a CSV file, not a picture of it"),
    (b"PAR1", "is a Parquet file", "convert it with pandas: pd.read_parquet(path).to_csv('data.csv')"),
    (b"SQLite format 3\x00", "is an SQLite database", "export the table you need as CSV and upload that"),
)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?inf(inity)?", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d*),\d+([eE][+-]?\d+)?")
_DECIMAL_POINT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d*)\.\d+([eE][+-]?\d+)?")
_BLANK = " \t\n\r\x0b\x0c"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


def n(count: int) -> str:
    """Format a count with spaces between thousands: 2400000 -> '2 400 000'."""
    return f"{count:,}".replace(",", " ")


def count(k: int, noun: str) -> str:
    """'1 row', '2 400 rows'."""
    return f"{n(k)} {noun}{'' if k == 1 else 's'}"


def lines_list(numbers: list[int], *, limit: int = 5, noun: str = "file line") -> str:
    """'file line 4', 'file lines 4, 9, 17' or 'file lines 4, 9, 17, 20, 31, … (12 in all)'."""
    shown = ", ".join(str(x) for x in numbers[:limit])
    more = f", … ({n(len(numbers))} in all)" if len(numbers) > limit else ""
    return f"{noun}{'' if len(numbers) == 1 else 's'} {shown}{more}"


def check_bytes(data: bytes) -> None:
    """Raise DataError for empty files and for well-known binary formats (zip/xlsx, gzip, xls, PDF, images)."""
    if not data:
        raise DataError("The file is empty (0 bytes). Upload a CSV file with a header row and rows of numbers.")
    for magic, what, fix in _SIGNATURES:
        if data.startswith(magic):
            raise DataError(f"The file {what}, not CSV text; {fix}.")


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    header: bool
    body: str  # the text from the header row (or the first data row) on
    first_line: int  # 1-based file line number of body's first line


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text with \\n line ends, its encoding, and steps; DataError for empty, binary, HTML, XML or JSON content."""
    check_bytes(data)
    text, encoding, step = _decode(data)
    check_text(text, encoding=encoding, size=len(data))
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding, [step]


def sniff(text: str, steps: list[str]) -> Dialect:
    """Skip leading comment lines, then detect delimiter, decimal mark and header row from the first 50 lines."""
    head = text.split("\n", 1000)[:1000]
    skip = count_preamble(head)
    body = text[sum(len(line) + 1 for line in head[:skip]) :]
    if not body.strip():
        raise DataError("The file has only comment ('#') or blank lines, no table of values.")
    sample = [line for line in head[skip:] if line.strip()][:50]
    delimiter = _delimiter(sample, steps)
    rows = sample_rows(sample, delimiter)
    decimal = sniff_decimal(rows, delimiter)
    if decimal == ",":
        steps.append("Decimal mark: comma (numbers look like 1,5); read 1,5 as 1.5.")
    header = detect_header(rows, decimal)
    if skip and not header:  # numpy.savetxt writes the header as a comment: '# a,b,c'
        line = comment_header(head[skip - 1], delimiter=delimiter, width=len(rows[0]), decimal=decimal)
        if line is not None:
            body, skip, header = f"{line}\n{body}", skip - 1, True
            steps.append(f"Used comment line {skip + 1} as the header row: {head[skip].strip()!r}.")
    if skip:
        steps.insert(1, f"Skipped {count(skip, 'comment or blank line')} at the top of the file.")
    return Dialect(delimiter, decimal, header, body, skip + 1)


def _delimiter(sample: list[str], steps: list[str]) -> str:
    if (delimiter := sniff_delimiter(sample)) is not None:
        steps.append(f"Delimiter: {DELIMITER_NAMES[delimiter]}.")
        return delimiter
    if not any(is_number(line, ".") or is_number(line, ",") for line in sample):
        raise DataError(
            "The file is a single column of text: it has no delimiter (comma, semicolon, tab or pipe) and no "
            "numbers, so it does not look like a CSV table. Upload a CSV with one column per variable."
        )
    steps.append("Found no delimiter (comma, semicolon, tab or pipe): read the file as a single column.")
    return ","


def _decode(data: bytes) -> tuple[str, str, str]:
    """Text, encoding and a step: BOM (UTF-8/16), UTF-16 without BOM, UTF-8, then cp1252, then latin-1."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as e:
                raise DataError(
                    f"The file starts with a {encoding.upper()} byte-order mark, but byte {e.start + len(bom)} "
                    f"is not valid {encoding.upper()}. Re-save it as 'CSV UTF-8' and upload it again."
                ) from None
            return (
                text,
                encoding,
                f"Decoded as {encoding.upper()} (removed the byte-order mark at the start).",
            )
    guessed = _utf16_without_bom(data)
    if guessed:
        text = data.decode(guessed, errors="replace")
        return (
            text,
            guessed,
            f"Decoded as {guessed.upper()} (no byte-order mark; guessed from the zero bytes).",
        )
    if b"\x00" in data:
        raise _binary("it contains NUL bytes")
    try:
        return data.decode("utf-8"), "utf-8", "Decoded as UTF-8."
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        return text, "cp1252", "Decoded as cp1252 (not valid UTF-8): check accented characters."
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        return text, "latin-1", "Decoded as latin-1 (neither UTF-8 nor cp1252): check accented characters."


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:4096]
    if len(head) < 4 or len(head) % 2 or b"\x00" not in head:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > 0.4 * half and even == 0:
        return "utf-16-le"
    if even > 0.4 * half and odd == 0:
        return "utf-16-be"
    return None


def _binary(why: str) -> DataError:
    return DataError(
        f"The file looks like binary data, not CSV text ({why}). Upload a plain-text .csv file "
        "(in a spreadsheet: File > Save As > CSV UTF-8)."
    )


def check_text(text: str, *, encoding: str, size: int) -> None:
    """Raise DataError for whitespace-only, binary-looking, HTML, XML and JSON content."""
    if not text.strip():
        raise DataError(
            f"The file contains only whitespace ({n(size)} bytes, no values). "
            "Upload a CSV file with a header row and rows of numbers."
        )
    head = text[:65536]
    if "\x00" in head or len(_CONTROL.findall(head)) > 0.05 * len(head):
        raise _binary("it contains many control characters")
    if not encoding.startswith("utf") and sum(c > "\x7f" for c in head) > 0.5 * len(head):
        raise _binary("most bytes are not text")
    start = text.lstrip()[:4096]
    low = start.lower()
    if low.startswith(("<!doctype html", "<html", "<table", "<head", "<body")) or (
        low.startswith("<") and ("<table" in low or "<html" in low)
    ):
        raise DataError(
            "The file is an HTML page, not CSV text (it starts with an HTML tag). If it is a table saved "
            "from a web page or exported from Excel as HTML, open it in a spreadsheet and "
            f"{SAVE_AS_CSV}."
        )
    if low.startswith("<?xml"):
        raise DataError(f"The file is XML (perhaps an Excel 2003 XML spreadsheet), not CSV text; {SAVE_AS_CSV}.")
    if start[:1] in ("{", "["):
        for candidate, what in ((text, "JSON"), (text.lstrip().split("\n", 1)[0], "JSON Lines")):
            try:
                json.loads(candidate)
            except (ValueError, RecursionError):
                continue
            raise DataError(
                f"The file is {what}, not CSV text (it starts with {start[0]!r}). Convert it to a table first, "
                "e.g. pd.read_json(path).to_csv('data.csv', index=False), and upload that."
            )


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
            steps.append(f"Skipped {count(blank, 'blank line')} (or lines of only delimiters) inside the table.")
        return names, cells, np.asarray(keep) + d.first_line
    rows, lines, total, blank = parse_rows(d.body, delimiter=d.delimiter, first_line=d.first_line, max_rows=max_rows)
    check_quotes(rows, lines, d.body)
    if not rows:
        raise DataError("The file has no values: every line is blank or holds only delimiters.")
    if blank:
        steps.append(f"Skipped {count(blank, 'blank line')} (or lines of only delimiters) inside the table.")
    names, rows, lines = split_header(rows, lines, header=d.header, steps=steps)
    _check_size(total - d.header, len(names), max_rows, max_columns)
    rows, lines = fit_width(rows, lines, len(names), d.delimiter, steps)
    cells = [pd.Series(col, dtype="str").str.strip() for col in zip(*rows, strict=True)]
    multi = np.logical_or.reduce([np.array(c.str.contains("\n", regex=False), dtype=bool) for c in cells])
    if multi.any():
        spans = np.max([np.array(c.str.count("\n"), dtype=int) for c in cells], axis=0)[multi]
        steps.append(
            f"Quoted values with line breaks in {count(int(multi.sum()), 'row')} "
            f"({lines_list(np.asarray(lines)[multi].tolist())}), taking in {count(int(spans.sum()), 'further line')} "
            "of the file: if that is not intended, a closing '\"' is missing."
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
            raise DataError(
                f"Line {lines[-1]} opens a quoted value ('\"') that never closes: the {count(swallowed, 'line')} "
                f"after it would be read as one cell. Close the quote on line {lines[-1]}, or remove it."
            )


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
        raise DataError(
            f"The file has {n(rows)} rows; the limit is {n(max_rows)}. Upload a shorter file or raise SLSTM_MAX_ROWS."
        )
    if columns > max_columns:
        raise DataError(
            f"The file has {n(columns)} columns; the limit is {n(max_columns)}. "
            "Remove the columns you do not need or raise SLSTM_MAX_COLUMNS."
        )


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
        raise DataError(
            f"Line {first_line + reader.line_num - 1} cannot be read as CSV ({e}). A quoted value may never "
            "end: look for a stray '\"' on or before that line, or remove the line."
        ) from None
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
                f"{n(len(long_rows))} of {count(len(rows), 'row')} have more fields than the header's {width} "
                f"({where}; line {first_line} has {first_width}). Check that the delimiter is "
                f"{DELIMITER_NAMES[delimiter]} and that values containing {delimiter!r} are in double quotes."
            )
        steps.append(
            f"Dropped {count(len(long_rows), 'row')} with more than {width} fields ({where}): "
            f"check them for an extra {DELIMITER_NAMES[delimiter]}."
        )
    if short:
        steps.append(
            f"Padded {count(len(short), 'short row')} with missing values ({lines_list(short)}): "
            f"they had fewer than {width} fields."
        )
    if trailing:
        steps.append(f"Ignored empty extra fields at the end of {count(trailing, 'row')} (a trailing delimiter).")
    return out, kept


def split_header(rows: list, lines: list[int], *, header: bool, steps: list[str]) -> tuple[list[str], list, list]:
    """Header cells (or '' per column without a header), then the data rows and their file line numbers."""
    width = Counter(len(r) for r in rows[header:]).most_common(1)[0][0] if len(rows) > header else 0
    if not header:
        return [""] * width, rows, lines
    names = list(rows[0])
    if len(rows) == 1:
        shown = ", ".join(quote(c.strip(), 30) for c in names[:10]) + (", …" if len(names) > 10 else "")
        raise DataError(f"The file has a header but no data rows (columns: {shown}). Add rows of values below it.")
    trimmed = 0
    while len(names) > max(width, 1) and not names[-1].strip():
        names.pop()
        trimmed += 1
    if trimmed:
        steps.append(f"Ignored {count(trimmed, 'empty name')} at the end of the header row (a trailing delimiter).")
    return names, rows[1:], lines[1:]


def name_columns(raw: list[str], *, header: bool, steps: list[str]) -> list[str]:
    """Unique, stripped column names: col_1.. without a header; column_3 for an empty name; x, x_2 for repeats."""
    if not header:
        steps.append(f"No header row found: named the columns col_1 … col_{len(raw)}.")
        return [f"col_{j + 1}" for j in range(len(raw))]
    names = [r.strip() for r in raw]
    if spaced := sum(a != b for a, b in zip(names, raw, strict=True)):
        steps.append(f"Removed spaces around {count(spaced, 'column name')}.")
    if empty := [j for j, name in enumerate(names) if not name]:
        for j in empty:
            names[j] = f"column_{j + 1}"
        shown = ", ".join(repr(names[j]) for j in empty)
        steps.append(f"Named {count(len(empty), 'empty column name')} by position: {shown}.")
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
        steps.append(f"Renamed {count(total, 'duplicate column name')}: {parts}.")
    return names


def sample_rows(sample: list[str], delimiter: str) -> list[list[str]]:
    """The first lines split into fields, for detect_header and sniff_decimal."""
    try:
        return [row for row in csv.reader(sample, delimiter=delimiter) if row]
    except csv.Error as e:
        raise DataError(f"The first lines cannot be read as CSV ({e}). Check the file is a plain CSV table.") from None
