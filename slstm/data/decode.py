"""Refusing and decoding for slstm.data.read: bytes that are not CSV text (empty, a binary format, HTML, XML,
JSON) get a DataError saying what the file is and how to fix it; text is decoded (BOM, UTF-16, UTF-8, cp1252,
latin-1)."""

from __future__ import annotations

import json
import re

from slstm.errors import DataError, Message

_SIGNATURES = (  # the start of a well-known binary format, what it is and how to fix it (keys dataerr.format/fix.*)
    (b"PK\x03\x04", "xlsx", "save_as_csv"),
    (b"PK\x05\x06", "empty_zip", "save_as_csv"),
    (b"\x1f\x8b", "gzip", "gunzip"),
    (b"\xd0\xcf\x11\xe0", "xls", "save_as_csv"),
    (b"%PDF", "pdf", "export_csv"),
    (b"\x89PNG", "png", "not_a_picture"),
    (b"\xff\xd8\xff", "jpeg", "not_a_picture"),
    (b"GIF8", "gif", "not_a_picture"),
    (b"PAR1", "parquet", "parquet"),
    (b"SQLite format 3\x00", "sqlite", "export_table"),
)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")


def n(count: int) -> str:
    """Format a count with spaces between thousands: 2400000 -> '2 400 000'."""
    return f"{count:,}".replace(",", " ")


def check_bytes(data: bytes) -> None:
    """Raise DataError for empty files and for well-known binary formats (zip/xlsx, gzip, xls, PDF, images)."""
    if not data:
        raise DataError("dataerr.empty_file")
    for magic, what, fix in _SIGNATURES:
        if data.startswith(magic):
            raise DataError(
                "dataerr.not_csv", what=Message(f"dataerr.format.{what}"), fix=Message(f"dataerr.fix.{fix}")
            )


def decode(data: bytes) -> tuple[str, str, list[Message]]:
    """Text with \\n line ends, its encoding, and steps; DataError for empty, binary, HTML, XML or JSON content."""
    check_bytes(data)
    text, encoding, step = _decode(data)
    check_text(text, encoding=encoding, size=len(data))
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding, [step]


def _decode(data: bytes) -> tuple[str, str, Message]:
    """Text, encoding and a step: BOM (UTF-8/16), UTF-16 without BOM, UTF-8, then cp1252, then latin-1."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as e:
                raise DataError("dataerr.bad_bom", encoding=encoding.upper(), byte=e.start + len(bom)) from None
            return text, encoding, Message("csv.step.decoded_bom", encoding=encoding.upper())
    guessed = _utf16_without_bom(data)
    if guessed:
        text = data.decode(guessed, errors="replace")
        return text, guessed, Message("csv.step.decoded_utf16", encoding=guessed.upper())
    if b"\x00" in data:
        raise _binary("nul")
    try:
        return data.decode("utf-8"), "utf-8", Message("csv.step.decoded_utf8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        return text, "cp1252", Message("csv.step.decoded_cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        return text, "latin-1", Message("csv.step.decoded_latin1")


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
    """why: nul, control or not_text (keys dataerr.why.*)."""
    return DataError("dataerr.binary", why=Message(f"dataerr.why.{why}"))


def check_text(text: str, *, encoding: str, size: int) -> None:
    """Raise DataError for whitespace-only, binary-looking, HTML, XML and JSON content."""
    if not text.strip():
        raise DataError("dataerr.only_whitespace", size=n(size))
    head = text[:65536]
    if "\x00" in head or len(_CONTROL.findall(head)) > 0.05 * len(head):
        raise _binary("control")
    if not encoding.startswith("utf") and sum(c > "\x7f" for c in head) > 0.5 * len(head):
        raise _binary("not_text")
    start = text.lstrip()[:4096]
    low = start.lower()
    if low.startswith(("<!doctype html", "<html", "<table", "<head", "<body")) or (
        low.startswith("<") and ("<table" in low or "<html" in low)
    ):
        raise DataError("dataerr.html", fix=Message("dataerr.fix.save_as_csv"))
    if low.startswith("<?xml"):
        raise DataError("dataerr.xml", fix=Message("dataerr.fix.save_as_csv"))
    if start[:1] in ("{", "["):
        for candidate, what in ((text, "JSON"), (text.lstrip().split("\n", 1)[0], "JSON Lines")):
            try:
                json.loads(candidate)
            except (ValueError, RecursionError):
                continue
            raise DataError("dataerr.json", what=what, start=repr(start[0]))
