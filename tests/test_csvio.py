"""read_csv on malformed and awkward CSV: each input either loads with every fix reported, or raises DataError."""

from __future__ import annotations

import copy
import gzip
import io
import json
import pickle
import re
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from slstm.data.read import Limits, Table, apply_missing, format_report, read_csv, report_to_dict
from slstm.errors import DataError


def load(text: str, **kwargs) -> Table:
    return read_csv(text.encode("utf-8"), **kwargs)


def said(table: Table, *fragments: str, where: str = "steps") -> str:
    """The one report line (in steps or warnings) that contains every fragment."""
    lines = getattr(table.report, where)
    hits = [line for line in lines if all(f in line for f in fragments)]
    assert hits, f"no {where} line with {fragments}: {lines}"
    return hits[0]


def series(n: int = 12) -> str:
    """A clean daily series: a date and a value that rises by 1."""
    return "date,value\n" + "".join(
        f"{day.date()},{i}\n" for i, day in enumerate(pd.date_range("2024-01-01", periods=n))
    )


# --- content that is not a CSV table --------------------------------------------------------------------------

XLSX = io.BytesIO()
with zipfile.ZipFile(XLSX, "w") as z:
    z.writestr("[Content_Types].xml", "<Types/>")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        pytest.param(b"", r"empty \(0 bytes\)", id="empty"),
        pytest.param(b"  \n\t\r\n  ", "only whitespace", id="whitespace"),
        pytest.param(b"\xef\xbb\xbf", "only whitespace", id="bom-only"),
        pytest.param(b"a,b,c\n", "header but no data rows.*'a', 'b', 'c'", id="header-only"),
        pytest.param(b"a,b,c\n\n\n", "header but no data rows", id="header-and-blank-lines"),
        pytest.param(bytes(range(256)) * 4, "binary data.*NUL", id="binary-with-nul"),
        pytest.param(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50, "binary data", id="binary-control-bytes"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image", id="png"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image", id="jpeg"),
        pytest.param(XLSX.getvalue(), r"Excel \.xlsx workbook or a zip archive.*File > Save As > CSV", id="xlsx"),
        pytest.param(gzip.compress(b"a,b\n1,2\n"), "gzip-compressed.*decompress", id="gzip"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), r"old Excel \.xls", id="xls"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF", id="pdf"),
        pytest.param(b"<table><tr><td>a</td></tr><tr><td>1</td></tr></table>", "HTML", id="html-table"),
        pytest.param(b"\n  <!DOCTYPE html><html><body>1,2</body></html>", "HTML", id="html-page"),
        pytest.param(b'<?xml version="1.0"?><Workbook/>', "XML", id="xml"),
        pytest.param(b'[{"a": 1, "b": 2}, {"a": 3, "b": 4}]', r"JSON, not CSV.*starts with '\['", id="json-array"),
        pytest.param(b'{"a": [1, 2, 3]}', "JSON, not CSV", id="json-object"),
        pytest.param(b'{"a": 1}\n{"a": 2}\n', "JSON Lines", id="json-lines"),
        pytest.param(b"hello\nworld\nfoo\n", "single column of text.*no delimiter.*no numbers", id="one-text-column"),
        pytest.param(b"# comment\n#another\n\n", r"only comment \('#'\) or blank lines", id="only-comments"),
        pytest.param(b",,\n,,\n\n,,\n", "every line is blank or holds only delimiters", id="only-delimiters"),
        pytest.param(b"name,city\nann,paris\nbob,rome\n", "No column of numbers.*'name' \\(text\\)", id="no-numbers"),
        pytest.param(b"\xff\xfea\x00,\x00b\x00\n\x00\x00\xd8", "UTF-16-LE byte-order mark", id="broken-utf16"),
    ],
)
def test_unusable_content_is_refused_with_a_reason(data, match):
    with pytest.raises(DataError, match=match):
        read_csv(data)


def test_a_string_with_line_breaks_is_not_taken_for_a_path():
    with pytest.raises(DataError, match="string with line breaks.*as bytes"):
        read_csv("a,b\n1,2\n")


def test_a_missing_path_names_the_path(tmp_path):
    with pytest.raises(DataError, match="No file at .*nope.csv"):
        read_csv(tmp_path / "nope.csv")


def test_an_unsupported_source_type_says_what_is_accepted():
    with pytest.raises(DataError, match="got a int; expected bytes, a path or a binary file"):
        read_csv(42)


# --- limits -------------------------------------------------------------------------------------------------


def test_too_many_rows_states_the_limit_and_the_size():
    with pytest.raises(DataError, match="has 12 rows; the limit is 10.*SLSTM_MAX_ROWS"):
        load(series(12), limits=Limits(max_rows=10))
    assert load(series(10), limits=Limits(max_rows=10)).report.rows == 10


def test_too_many_rows_is_counted_on_the_quoted_path_too():
    text = "a,b\n" + "".join(f'"{i}",{i}\n' for i in range(2_400))
    with pytest.raises(DataError, match="has 2 400 rows; the limit is 1 000"):
        load(text, limits=Limits(max_rows=1_000))


def test_too_many_columns_states_the_limit_and_the_size():
    text = ",".join(f"c{i}" for i in range(6)) + "\n" + ",".join("1" * 6) + "\n"
    with pytest.raises(DataError, match="has 6 columns; the limit is 5.*SLSTM_MAX_COLUMNS"):
        load(text, limits=Limits(max_columns=5))


@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
def test_too_many_bytes_is_refused_before_parsing(kind, tmp_path):
    data = series(50).encode()
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    source = {"bytes": data, "path": path, "file": io.BytesIO(data)}[kind]
    size = "more than 100 bytes" if kind == "file" else f"{len(data)} bytes"
    with pytest.raises(DataError, match=rf"The file is {size}; the limit is 100 bytes.*SLSTM_MAX_BYTES"):
        read_csv(source, limits=Limits(max_bytes=100))


def test_limits_from_env(monkeypatch):
    monkeypatch.setenv("SLSTM_MAX_ROWS", "5")
    assert Limits.from_env() == Limits(max_rows=5)
    monkeypatch.setenv("SLSTM_MAX_COLUMNS", "lots")
    with pytest.raises(DataError, match="SLSTM_MAX_COLUMNS='lots' is not a positive whole number"):
        Limits.from_env()


# --- sources ------------------------------------------------------------------------------------------------


def test_path_bytes_and_file_object_give_the_same_table(tmp_path):
    data = series(30).encode()
    path = tmp_path / "prices.csv"
    path.write_bytes(data)
    tables = [read_csv(data), read_csv(path), read_csv(str(path)), read_csv(io.BytesIO(data))]
    for t in tables[1:]:
        pd.testing.assert_frame_equal(t.frame, tables[0].frame)
        assert t.report.steps == tables[0].report.steps
    assert [t.report.name for t in tables] == ["data", "prices.csv", "prices.csv", "data"]
    assert read_csv(data, name="upload.csv").report.name == "upload.csv"


# --- encodings ----------------------------------------------------------------------------------------------


def test_utf8_bom_is_removed_and_reported():
    t = read_csv(b"\xef\xbb\xbfprice,volume\n1,2\n3,4\n")
    assert list(t.frame.columns) == ["price", "volume"]
    assert t.report.encoding == "utf-8"
    said(t, "UTF-8", "byte-order mark")


@pytest.mark.parametrize(("codec", "bom"), [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_utf16_with_bom(codec, bom):
    t = read_csv(bom + "température,x\n1,5\n2,5\n".encode(codec))
    assert list(t.frame.columns) == ["température", "x"]
    assert t.report.encoding == codec
    assert t.frame["température"].tolist() == [1.0, 2.0]
    said(t, codec.upper(), "byte-order mark")


def test_utf16_without_bom_is_recognised_by_its_zero_bytes():
    t = read_csv("a,b\n1,2\n3,4\n".encode("utf-16-le"))
    assert t.frame["b"].tolist() == [2.0, 4.0]
    said(t, "UTF-16-LE", "no byte-order mark")


def test_cp1252_falls_back_and_is_reported():
    t = read_csv(b"caf\xe9,prix \x80\n1,2\n3,4\n")
    assert list(t.frame.columns) == ["café", "prix €"]
    assert t.report.encoding == "cp1252"
    said(t, "cp1252", "not valid UTF-8")


def test_latin1_is_the_last_resort():
    t = read_csv(b"a\x81,b\n1,2\n")  # 0x81 is undefined in cp1252
    assert t.report.encoding == "latin-1"
    assert list(t.frame.columns) == ["a\x81", "b"]


# --- dialects -----------------------------------------------------------------------------------------------


def test_semicolon_with_decimal_comma():
    t = load("zeit;wert;menge\n2024-01-01;1,5;1.234,5\n2024-01-02;-2,25;10\n2024-01-03;3;7,0\n")
    assert (t.report.delimiter, t.report.decimal) == (";", ",")
    assert t.frame["wert"].tolist() == [1.5, -2.25, 3.0]
    assert t.frame["menge"].tolist() == [1234.5, 10.0, 7.0]
    said(t, "Delimiter: semicolon")
    said(t, "Decimal mark: comma")
    said(t, "'menge'", "thousands separators", "1 number")


@pytest.mark.parametrize(("delimiter", "name"), [("\t", "tab"), ("|", "pipe"), (";", "semicolon"), (",", "comma")])
def test_delimiters(delimiter, name):
    t = load(f"a{delimiter}b{delimiter}c\n1{delimiter}2.5{delimiter}x\n4{delimiter}5{delimiter}y\n")
    assert t.report.delimiter == delimiter
    assert t.report.decimal == "."
    assert t.frame["b"].tolist() == [2.5, 5.0]
    assert t.frame["c"].tolist() == ["x", "y"]
    said(t, f"Delimiter: {name}")


def test_tab_separated_with_decimal_comma():
    t = load("a\tb\n1,5\t2\n3,5\t4\n")
    assert (t.report.delimiter, t.report.decimal) == ("\t", ",")
    assert t.frame["a"].tolist() == [1.5, 3.5]


def test_thousands_separators_with_decimal_point_in_quoted_cells():
    t = load('a,b\n"1,234.5",1\n"12,000",2\n7,3\n')
    assert t.frame["a"].tolist() == [1234.5, 12000.0, 7.0]
    said(t, "'a'", "thousands separators", "2 numbers")


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings(newline):
    t = load(series(5).replace("\n", newline))
    assert t.frame["value"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_quoted_fields_may_contain_the_delimiter():
    t = load('label,value\n"a, b",1\n"c ""q""",2\n')
    assert t.frame["label"].tolist() == ["a, b", 'c "q"']
    assert t.frame["value"].tolist() == [1.0, 2.0]


def test_quoted_and_unquoted_files_give_the_same_table():
    plain = series(40) + "2024-02-10,NA\n2024-02-11,oops\n"
    quoted = "\n".join(",".join(f'"{c}"' for c in line.split(",")) for line in plain.splitlines()) + "\n"
    a, b = load(plain), load(quoted)
    assert a.time_column == "date" and a.report.rows == 42 and a.frame["value"].isna().sum() == 2
    said(a, "'value': 1 cell could not be read", "file line 43", "'oops'")
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.report.steps == b.report.steps and a.report.warnings == b.report.warnings


def test_an_unclosed_quote_is_refused_naming_its_line():
    with pytest.raises(DataError, match=r"Line 2 opens a quoted value .* never closes: the 2 lines after it"):
        load('a,b\n1,"2\n3,4\n5,6\n')


def test_quoted_line_breaks_that_close_are_read_and_counted():
    t = load('a,b\n1,"two\nlines"\n3,4\n5,6\n')
    assert len(t.frame) == 3
    said(t, "line breaks", "file line 2", "1 further line", "closing '\"' is missing")


def test_single_numeric_column_without_delimiter():
    t = load("value\n1\n2\n3.5\n")
    assert t.frame["value"].tolist() == [1.0, 2.0, 3.5]
    said(t, "no delimiter", "single column")


# --- header -------------------------------------------------------------------------------------------------


def test_no_header_row_names_columns_by_position():
    t = load("1,2,3\n4,5,6\n")
    assert t.report.header is False
    assert list(t.frame.columns) == ["col_1", "col_2", "col_3"]
    assert t.frame["col_1"].tolist() == [1.0, 4.0]
    assert [c.original for c in t.report.columns] == ["", "", ""]
    said(t, "No header row", "col_1 … col_3")


def test_a_single_data_row_loads_with_a_warning():
    t = load("a,b\n1,2\n")
    assert t.report.rows == 1 and t.frame["b"].tolist() == [2.0]
    said(t, "only 1 data row", where="warnings")
    assert not any(c.constant for c in t.report.columns)  # one value is not "constant"


def test_a_single_row_of_numbers_is_data_not_a_header():
    t = load("1,2,3\n")
    assert t.report.header is False and t.report.rows == 1


def test_leading_comment_lines_are_skipped():
    t = load("# exported by logger v2\n# units: kPa\n\nt,p\n0,101.3\n1,101.1\n")
    assert list(t.frame.columns) == ["t", "p"]
    assert t.frame["p"].tolist() == [101.3, 101.1]
    said(t, "Skipped 3 comment or blank lines")


def test_a_commented_header_as_numpy_savetxt_writes_it():
    t = load("# a,b\n1,2\n3,4\n")
    assert list(t.frame.columns) == ["a", "b"]
    said(t, "comment line 1 as the header row")


def test_blank_lines_inside_the_table_are_skipped_and_reported():
    t = load("a,b\n1,2\n\n3,4\n,\n5,6\n")
    assert t.frame["a"].tolist() == [1.0, 3.0, 5.0]
    said(t, "Skipped 2 blank lines")


# --- ragged rows --------------------------------------------------------------------------------------------


def test_short_rows_are_padded_and_reported_with_line_numbers():
    rows = [f"{i},{i},{i}" for i in range(20)]
    rows[3], rows[7] = "3,3", "7"
    t = load("a,b,c\n" + "\n".join(rows) + "\n")
    assert t.report.rows == 20
    assert np.isnan(t.frame.loc[3, "c"]) and np.isnan(t.frame.loc[7, "b"])
    said(t, "Padded 2 short rows", "file lines 5, 9")


def test_a_few_long_rows_are_dropped_and_reported():
    rows = [f"{i},{i}" for i in range(20)]
    rows[4] = "4,4,extra"
    t = load("a,b\n" + "\n".join(rows) + "\n")
    assert t.report.rows == 19 and 4.0 not in t.frame["a"].tolist()
    said(t, "Dropped 1 row with more than 2 fields", "file line 6")


def test_many_long_rows_are_refused_with_line_numbers():
    with pytest.raises(DataError, match=r"3 of 4 rows have more fields than the header's 2 \(file lines 3, 4, 5"):
        load("a,b\n1,2\n1,2,3\n4,5,6\n7,8,9\n")


def test_trailing_delimiters_are_ignored_and_reported():
    t = load("a,b\n1,2,\n3,4,\n5,6\n")
    assert list(t.frame.columns) == ["a", "b"]
    said(t, "trailing delimiter", "2 rows")


# --- column names -------------------------------------------------------------------------------------------


def test_duplicate_column_names_are_made_unique():
    t = load("x,x,y,x\n1,2,3,4\n5,6,7,8\n")
    assert list(t.frame.columns) == ["x", "x_2", "y", "x_3"]
    assert t.frame["x_3"].tolist() == [4.0, 8.0]
    said(t, "Renamed 3 duplicate column names: 'x' -> 'x', 'x_2', 'x_3'.")


def test_renaming_never_collides_with_an_existing_name():
    t = load("x,x,x_2\n1,2,3\n")
    assert list(t.frame.columns) == ["x", "x_3", "x_2"]


def test_empty_column_name_is_named_by_position():
    t = load("a,,c\n1,2,3\n4,5,6\n")
    assert list(t.frame.columns) == ["a", "column_2", "c"]
    said(t, "empty column name", "'column_2'")


def test_spaces_around_names_are_removed():
    t = load(" a , b\n1,2\n")
    assert list(t.frame.columns) == ["a", "b"]
    assert [c.original for c in t.report.columns] == [" a ", " b"]
    said(t, "Removed spaces around 2 column names")


def test_an_empty_unnamed_trailing_column_is_dropped():
    t = load("a,b,\n1,2,\n3,4,\n")
    assert list(t.frame.columns) == ["a", "b"]
    said(t, "column with no name and no values")


@pytest.mark.parametrize("name", ["<b>x</b>", "**x**", "<script>alert(1)</script>", "[x](http://e.com)", "$x$"])
def test_html_and_markdown_in_names_are_kept_literally(name):
    t = load(f"{name},y\n1,2\n3,4\n")
    assert t.frame.columns[0] == name
    assert t.numeric_columns == [name, "y"]
    assert name in format_report(t)


# --- cell values --------------------------------------------------------------------------------------------


def test_unreadable_numbers_become_missing_with_line_numbers():
    values = [str(i) for i in range(20)]
    values[2], values[7], values[15] = "n/a?", "12abc", "#REF!"
    t = load("price\n" + "\n".join(values) + "\n")
    info = t.report.columns[0]
    assert (info.kind, info.unreadable, info.missing) == ("numeric", 3, 3)
    assert t.frame["price"].isna().sum() == 3 and t.frame["price"].sum() == sum(range(20)) - 2 - 7 - 15
    said(t, "'price': 3 cells could not be read as numbers", "file lines 4, 9, 17", "'n/a?'", "now missing")


def test_more_than_five_unreadable_cells_list_five_lines_and_the_total():
    values = ["x" if i % 10 == 0 else str(i) for i in range(100)]
    t = load("v\n" + "\n".join(values) + "\n")
    said(t, "10 cells could not be read", "file lines 2, 12, 22, 32, 42, … (10 in all)")


def test_na_tokens_are_missing_not_unreadable():
    t = load("a,b\n1,NA\n2,null\n3,\n4,-\n5,#N/A\n6,7\n")
    info = t.report.columns[1]
    assert (info.unreadable, info.missing) == (0, 5)
    assert not any("could not be read" in s for s in t.report.steps)


def test_infinite_values_are_replaced_with_missing():
    t = load("a,b\n1,inf\n2,-inf\n3,1e999\n4,5\n")
    info = t.report.columns[1]
    assert (info.infinite, info.missing, info.unreadable) == (3, 3, 0)
    assert t.frame["b"].isna().tolist() == [True, True, True, False]
    said(t, "'b': replaced 3 infinite values")


def test_mostly_text_column_stays_text_with_a_warning():
    t = load("a,b\n1,x\n2,y\n3,4\n4,z\n")
    assert t.report.columns[1].kind == "text"
    assert t.frame["b"].tolist() == ["x", "y", "4", "z"]
    assert t.numeric_columns == ["a"]
    said(t, "'b' was kept as text", "25%", where="warnings")


def test_all_missing_column_is_numeric_with_a_warning():
    t = load("a,b\n1,\n2,NA\n3,\n")
    assert t.report.columns[1].kind == "numeric" and t.report.columns[1].missing == 3
    said(t, "'b' has no values", where="warnings")


def test_constant_column_is_flagged():
    t = load("a,b\n1,7\n2,7\n3,\n4,7\n")
    assert [c.constant for c in t.report.columns] == [False, True]
    said(t, "'b' is constant", "every value is 7", "cannot be scaled", where="warnings")


def test_a_file_whose_only_numeric_column_is_empty_is_refused():
    with pytest.raises(DataError, match=r"No column of numbers.*'b' \(empty\)"):
        load("a,b\nx,\ny,\n")


# --- time column --------------------------------------------------------------------------------------------


def test_unsorted_dates_are_sorted_and_reported():
    t = load("date,v\n2024-01-03,3\n2024-01-01,1\n2024-01-02,2\n2024-01-04,4\n")
    assert t.time_column == "date"
    assert t.frame["v"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert pd.api.types.is_datetime64_any_dtype(t.frame["date"])
    assert t.numeric_columns == ["v"]
    said(t, "Sorted 4 rows by 'date' (the file was not in time order).")


def test_reverse_time_order_is_named_as_such():
    t = load("timestamp,v\n2024-01-03 10:00,3\n2024-01-02 10:00,2\n2024-01-01 10:00,1\n")
    assert t.frame["v"].tolist() == [1.0, 2.0, 3.0]
    said(t, "reverse time order")


def test_duplicate_timestamps_are_a_warning():
    t = load("date,v\n2024-01-01,1\n2024-01-02,2\n2024-01-02,3\n2024-01-03,4\n")
    assert t.frame["v"].tolist() == [1.0, 2.0, 3.0, 4.0]  # kept, in file order
    said(t, "1 repeated timestamp", "2024-01-02", where="warnings")


def test_gaps_are_a_warning():
    days = ["01", "02", "03", "04", "08", "09", "10", "20"]
    t = load("date,v\n" + "".join(f"2024-01-{d},{i}\n" for i, d in enumerate(days)))
    said(t, "2 gaps", "usual step of 1 day", "first after 2024-01-04", where="warnings")


def test_rows_with_unreadable_times_are_dropped_and_reported():
    t = load("date,v\n2024-01-01,1\nsoon,2\n2024-01-03,3\n,4\n2024-01-05,5\n2024-01-06,6\n")
    assert t.frame["v"].tolist() == [1.0, 3.0, 5.0, 6.0]
    assert t.report.columns[0].unreadable == 1
    said(t, "Dropped 2 rows whose 'date' is empty or not a time", "file lines 3, 5", "'soon'")


def test_day_first_dates_are_read_day_first():
    t = load("date,v\n01/02/2024,1\n13/02/2024,2\n14/02/2024,3\n")
    assert t.frame["date"].tolist() == [pd.Timestamp(2024, 2, 1), pd.Timestamp(2024, 2, 13), pd.Timestamp(2024, 2, 14)]


def test_dates_are_found_by_value_when_the_name_says_nothing():
    t = load("when_measured,v\n2024-01-02,2\n2024-01-01,1\n")
    assert t.time_column == "when_measured"
    t = load("label,v\n2024-03-01 10:00,1\n2024-03-01 11:00,2\n")
    assert t.time_column == "label"
    assert load("label,v\n1a,1\n2a,2\n3a,3\n").time_column is None  # dateutil would read 1a as 1 a.m.


def test_mixed_utc_offsets_are_converted_to_utc():
    t = load("time,v\n2024-01-01T00:00:00+01:00,1\n2024-01-01T02:00:00+02:00,2\n2024-01-01T03:00:00+01:00,3\n")
    assert str(t.frame["time"].dt.tz) == "UTC"
    said(t, "time zone UTC")


def test_integer_columns_are_not_time_unless_named_so():
    assert load("id,v\n1,5\n2,6\n3,7\n").time_column is None
    t = load("time,v\n0,5\n0.5,6\n1,7\n")
    assert t.time_column == "time" and t.numeric_columns == ["v"]


def test_a_time_named_column_out_of_order_stays_numeric():
    t = load("time_spent,v\n3,5\n1,6\n2,7\n")
    assert t.time_column is None and t.numeric_columns == ["time_spent", "v"]
    assert t.frame["v"].tolist() == [5.0, 6.0, 7.0]  # not sorted
    said(t, "'time_spent' is named like a time column", where="warnings")


def test_a_date_named_column_of_garbage_stays_text():
    t = load("date,v\nfoo,1\nbar,2\nbaz,3\n")
    assert t.time_column is None and t.report.columns[0].kind == "text"
    said(t, "'date' is named like a time column", "kept as text", where="warnings")


# --- apply_missing ------------------------------------------------------------------------------------------

GAPPY = "t,a,b,note\n0,,10,x\n1,2,,y\n2,,,z\n3,4,40,w\n4,5,50,v\n"


def test_apply_missing_drop():
    t = load(GAPPY)
    out, message = apply_missing(t, "drop")
    assert message == "Dropped 3 rows with missing values (4 cells in 2 columns)."
    assert out.frame["a"].tolist() == [4.0, 5.0] and out.report.rows == 2
    assert out.report.steps[-1] == message


def test_apply_missing_ffill():
    out, message = apply_missing(load(GAPPY), "ffill")
    assert message == "Forward-filled 3 cells in 2 columns; dropped 1 leading row."
    assert out.frame["a"].tolist() == [2.0, 2.0, 4.0, 5.0]
    assert out.frame["b"].tolist() == [10.0, 10.0, 40.0, 50.0]
    assert out.frame["note"].tolist() == ["y", "z", "w", "v"]


def test_apply_missing_interpolate():
    out, message = apply_missing(load(GAPPY), "interpolate")
    assert message.startswith("Interpolated 4 cells in 2 columns")
    assert out.frame["a"].tolist() == [2.0, 2.0, 3.0, 4.0, 5.0]
    assert out.frame["b"].tolist() == [10.0, 20.0, 30.0, 40.0, 50.0]


def test_apply_missing_keep():
    t = load(GAPPY)
    out, message = apply_missing(t, "keep")
    assert message == "Kept 4 cells in 2 columns missing as they are."
    pd.testing.assert_frame_equal(out.frame, t.frame)


@pytest.mark.parametrize("policy", ["drop", "ffill", "interpolate", "keep"])
def test_apply_missing_never_mutates_its_input(policy):
    t = load(GAPPY)
    frame, steps, infos = t.frame.copy(), list(t.report.steps), [c.missing for c in t.report.columns]
    out, _ = apply_missing(t, policy)
    pd.testing.assert_frame_equal(t.frame, frame)
    assert t.report.steps == steps and [c.missing for c in t.report.columns] == infos
    assert out.report.columns[1].missing == (2 if policy == "keep" else 0)


def test_apply_missing_leaves_empty_columns_out_and_says_so():
    out, message = apply_missing(load("a,b\n1,\n,\n3,\n"), "drop")
    assert out.frame["a"].tolist() == [1.0, 3.0]
    assert "Left out 'b'" in message


def test_apply_missing_on_selected_columns():
    out, message = apply_missing(load(GAPPY), "drop", columns=["b"])
    assert message == "Dropped 2 rows with missing values (2 cells in 1 column)."
    with pytest.raises(DataError, match=r"\['note'\], not numeric columns"):
        apply_missing(load(GAPPY), "drop", columns=["note"])


def test_apply_missing_refuses_to_drop_every_row():
    with pytest.raises(DataError, match="would leave no rows"):
        apply_missing(load("a,b\n1,\n,2\n"), "drop")


def test_apply_missing_unknown_policy_lists_the_valid_ones():
    with pytest.raises(DataError, match="'mean'.*'drop', 'ffill', 'interpolate', 'keep'"):
        apply_missing(load(GAPPY), "mean")


# --- report -------------------------------------------------------------------------------------------------


def test_report_to_dict_is_json_and_complete():
    t = load("date,a,a\n2024-01-02,1,x\n2024-01-01,inf,y\n")
    d = json.loads(json.dumps(report_to_dict(t.report)))
    assert d["time_column"] == "date" and d["delimiter"] == "," and d["rows"] == 2
    assert [c["name"] for c in d["columns"]] == ["date", "a", "a_2"]
    assert d["columns"][1] == {
        "name": "a",
        "original": "a",
        "kind": "numeric",
        "unreadable": 0,
        "missing": 1,
        "infinite": 1,
        "constant": False,
    }
    assert d["steps"] == t.report.steps and d["warnings"] == t.report.warnings


def test_format_report_shows_settings_columns_steps_and_warnings():
    text = format_report(load("zeit;wert\n2024-01-02;1,5\n2024-01-01;x\n2024-01-03;2\n2024-01-04;3\n2024-01-05;4\n"))
    assert "delimiter semicolon, decimal comma, header row yes, time column zeit" in text
    assert "\n  zeit  time     missing 0\n  wert  numeric  missing 1, unreadable 1\n" in text
    assert "'wert': 1 cell could not be read as numbers (file line 3; e.g. 'x') and is now missing" in text
    assert "Sorted 5 rows by 'zeit'" in text
    assert "only 5 data rows" in text


# --- in Chinese -------------------------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_RUN = re.compile(r"(?<![\w.])[A-Za-z][a-z']*(?:[ \t]+[A-Za-z][a-z']*){2,}(?![\w(])")  # as the page checks
MESSY = [
    "zeit;wert\n2024-01-02;1,5\n2024-01-01;x\n2024-01-03;2\n2024-01-04;3\n2024-01-05;4\n",
    "# logger v2\n\ndate;a;a;\n2024-01-03;1.234,5;1;\n2024-01-01;inf;2;\n\n2024-01-01;3\n2024-01-09;4;5;\nsoon;1;1;\n",
    "x, x ,,y\n1,2,3,4\n5,6,7,8\n9,10,11,12,13\n" + "".join(f"{i},{i},{i},{i}\n" for i in range(30)),
    'time,v,note,c\n0,1,"two\nlines",7\n1,2,b,7\n2,,c,7\n3,4,d,7\n',
    "1;2\n3;4\n",
    "price\n" + "\n".join("x" if i % 10 == 0 else str(i) for i in range(100)) + "\n",
    "timestamp,v,w\n2024-01-03 10:00,3,\n2024-01-02 10:00,2,\n2024-01-01 10:00,1,\n",
]


def digits(text: str) -> list[str]:
    return sorted(re.findall(r"\d+", text))


@pytest.mark.parametrize("text", MESSY)
def test_every_step_and_warning_reads_in_chinese_with_the_same_numbers(text):
    t = load(text, name="m.csv")
    lines = [*t.report.steps, *t.report.warnings]
    assert len(lines) >= 3
    for line in lines:
        zh = line.text("zh")
        assert CJK.search(zh) and ENGLISH_RUN.findall(zh) == [], zh
        assert digits(zh) == digits(line), (line, zh)  # the same counts, lines and values, in words of Chinese
        assert line.text("en") == line and not CJK.search(line)


def test_format_report_in_chinese_has_the_same_table_and_no_english_sentence():
    t = load(MESSY[0])
    zh, en = format_report(t, lang="zh"), format_report(t)
    assert "编码 utf-8，分隔符：分号，小数点：逗号“,”，表头行：有，时间列：zeit" in zh
    assert "\n  zeit  时间  缺失 0\n  wert  数值  缺失 1，无法读取 1\n" in zh
    assert "列 'wert'：有 1 个单元格无法读成数字（文件第 3 行；例如 'x'），现在记为缺失值。" in zh
    assert "已按 'zeit' 把 5 行排序（文件原本没有按时间顺序排列）。" in zh
    assert "这张表只有 5 行数据；训练需要多得多的数据。" in zh
    assert ENGLISH_RUN.findall(zh) == [] and digits(zh) == digits(en)
    assert format_report(t, lang="en") == en and not CJK.search(en)


def test_plurals_are_each_languages_own():
    one, many = (
        load("a,b\n" + "".join(f"{i},{'x' if i == 1 else i}\n" for i in range(10))),
        load("price\n" + "\n".join("x" if i % 10 == 0 else str(i) for i in range(100))),
    )
    assert said(one, "'b': 1 cell could not be read", "and is now missing")
    assert said(many, "'price': 10 cells could not be read", "and are now missing")
    assert "有 1 个单元格无法读成数字（文件第 3 行；" in said(one, "'b'").text("zh")
    assert "有 10 个单元格无法读成数字（文件第 2、12、22、32、42 行等 10 处；" in said(many, "'price'").text("zh")
    _, message = apply_missing(load(GAPPY), "ffill")
    assert message == "Forward-filled 3 cells in 2 columns; dropped 1 leading row."
    assert message.text("zh") == "在 2 列中用上一个值填补了 3 个单元格；删除了开头的 1 行。"
    big = load("v\n" + "".join(f"{i}\n" for i in range(2400)) + "1,2,3\n")
    assert (
        said(big, "Dropped 1 row", "file line 2402")
        .text("zh")
        .startswith("删除了字段多于 1 个的 1 行（文件第 2402 行）")
    )


def test_thousands_in_counts_are_spaced_in_both_languages():
    t = load("d,v\n" + "".join(f"2024-01-01 00:00:{i % 60:02d},{i}\n" for i in range(3000, 0, -1)))
    assert said(t, "Sorted 3 000 rows").text("zh").startswith("已按 'd' 把 3 000 行排序")


@pytest.mark.parametrize(
    ("data", "en", "zh"),
    [
        (b"", "The file is empty (0 bytes).", "文件是空的（0 字节）"),
        (
            XLSX.getvalue(),
            "Excel .xlsx workbook or a zip archive",
            "看起来是 Excel .xlsx 工作簿或 zip 压缩包，不是 CSV 文本；请把它另存为",
        ),
        (b"a,b,c\n", "(columns: 'a', 'b', 'c')", "文件有表头，但没有数据行（列：'a'、'b'、'c'）"),
        (
            b"name,city\nann,paris\n",
            "'name' (text), 'city' (text)",
            "没有找到数值列（各列：'name'（文本）、'city'（文本））",
        ),
        (b'a,b\n1,"2\n3,4\n5,6\n', "the 2 lines after it", "第 2 行有一个引号（'\"'）开了头却没有闭合：它后面的 2 行"),
        (b"\x89PNG\r\n\x1a\n", "is a PNG image", "这个文件是 PNG 图片，不是 CSV 文本"),
    ],
)
def test_data_errors_read_in_the_users_language(data, en, zh):
    with pytest.raises(DataError) as caught:
        read_csv(data)
    assert en in str(caught.value) and not CJK.search(str(caught.value))
    assert zh in caught.value.text("zh") and ENGLISH_RUN.findall(caught.value.text("zh")) == []
    assert caught.value.text("en") == str(caught.value)


def test_limits_errors_keep_their_numbers_in_chinese():
    with pytest.raises(DataError) as caught:
        load("a,b\n" + "".join(f'"{i}",{i}\n' for i in range(2_400)), limits=Limits(max_rows=1_000))
    assert caught.value.text("zh") == "文件有 2 400 行，上限是 1 000 行。请上传更短的文件，或调高 SLSTM_MAX_ROWS。"
    with pytest.raises(DataError) as caught:
        read_csv(bytes(2 * 2**20), limits=Limits(max_bytes=2**20))
    assert "The file is 2 097 152 bytes (2.0 MB); the limit is 1 048 576 bytes (1.0 MB)." in str(caught.value)
    assert caught.value.text("zh").startswith("文件大小为 2 097 152 字节（2.0 MB），上限是 1 048 576 字节（1.0 MB）。")


def test_reports_and_errors_survive_pickling_and_copies_in_every_language():
    t = load(MESSY[1])
    for report in (pickle.loads(pickle.dumps(t.report)), copy.deepcopy(t.report)):
        assert report.steps == t.report.steps
        assert [s.text("zh") for s in report.steps] == [s.text("zh") for s in t.report.steps]
    with pytest.raises(DataError) as caught:
        read_csv(b"")
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and again.text("zh") == caught.value.text("zh")
    assert json.loads(json.dumps(report_to_dict(t.report)))["steps"] == t.report.steps


# --- performance and fuzzing --------------------------------------------------------------------------------


def test_100k_rows_by_10_columns_loads_quickly():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(100_000, 10)).round(6), columns=[f"c{i}" for i in range(10)])
    frame.insert(0, "date", pd.date_range("2000-01-01", periods=100_000, freq="h").astype(str))
    data = frame.to_csv(index=False).encode()
    start = time.perf_counter()
    t = read_csv(data)
    assert time.perf_counter() - start < 2.0
    assert t.frame.shape == (100_000, 11)
    np.testing.assert_allclose(t.frame["c3"].to_numpy(), frame["c3"].to_numpy())


CELLS = st.floats(allow_nan=False, allow_infinity=False, width=32) | st.none()
DIALECTS = [(",", "."), (";", "."), (";", ","), ("\t", "."), ("\t", ","), ("|", "."), ("|", ",")]


@settings(max_examples=100, deadline=2000)
@given(
    st.integers(2, 4).flatmap(lambda k: st.lists(st.lists(CELLS, min_size=k, max_size=k), min_size=1, max_size=40)),
    st.sampled_from(DIALECTS),
)
def test_clean_frames_round_trip_through_every_dialect(rows, dialect):
    delimiter, decimal = dialect
    frame = pd.DataFrame(rows, columns=[f"c{j}" for j in range(len(rows[0]))], dtype="float64")
    assume(frame.notna().any().any())
    t = read_csv(frame.to_csv(index=False, sep=delimiter, decimal=decimal).encode())
    assert (t.report.delimiter, t.report.header) == (delimiter, True)
    expected = frame.dropna(how="all").reset_index(drop=True)  # a line of only delimiters is a blank line
    pd.testing.assert_frame_equal(t.frame, expected)
    assert [c.missing for c in t.report.columns] == expected.isna().sum().tolist()


def _loads_or_refuses(data: bytes) -> None:
    start = time.perf_counter()
    try:
        t = read_csv(data)
    except DataError as e:
        assert str(e) and e.text("zh")  # every refusal has its words in both languages
    else:
        assert isinstance(t.frame, pd.DataFrame) and t.report.rows == len(t.frame) > 0
        assert t.numeric_columns and list(t.frame.columns) == [c.name for c in t.report.columns]
        assert len(set(t.frame.columns)) == len(t.frame.columns)
        json.dumps(report_to_dict(t.report))
        format_report(t)
        format_report(t, lang="zh")
    assert time.perf_counter() - start < 2.0


@settings(max_examples=200, deadline=2000)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_table_or_a_data_error(data):
    _loads_or_refuses(data)


PIECES = [*'0123456789,;\t|\n\r .-+"eEaxT:#', "NA", "inf", "2024-01-0", "date", "\n1,2\n"]


@settings(max_examples=200, deadline=2000)
@given(st.lists(st.sampled_from(PIECES), max_size=400).map("".join))
def test_csv_like_text_gives_a_table_or_a_data_error(text):
    _loads_or_refuses(text.encode("utf-8"))
