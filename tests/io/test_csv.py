"""CSV input: encodings (UTF-8, BOM, GB18030/GBK), header checks, row numbers and lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamcore import KamcoreError
from kamcore.io import CsvSource, detect_encoding, open_rows

CHINESE = "客户编号,营业收入,渠道\r\nC001,1234567.5,直销\r\nC002,88000,经销商\r\n"
CHINESE_ROWS = [
    {"客户编号": "C001", "营业收入": "1234567.5", "渠道": "直销"},
    {"客户编号": "C002", "营业收入": "88000", "渠道": "经销商"},
]


def write(tmp_path: Path, data: bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_utf8(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, CHINESE.encode("utf-8")))
    assert isinstance(source, CsvSource)
    assert (source.format, source.encoding, source.encoding_detected) == ("csv", "utf-8", True)
    assert list(source()) == CHINESE_ROWS
    assert source.columns == ("客户编号", "营业收入", "渠道")


def test_utf8_bom_is_detected_and_stripped_from_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + CHINESE.encode("utf-8"))
    source = open_rows(path)
    assert source.encoding == "utf-8-sig"
    rows = list(source())
    assert list(rows[0]) == ["客户编号", "营业收入", "渠道"]  # no "\ufeff客户编号"
    assert rows == CHINESE_ROWS


def test_explicit_utf8_still_strips_a_bom(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + CHINESE.encode("utf-8"))
    assert list(open_rows(path, encoding="UTF8")()) == CHINESE_ROWS


def test_gb18030_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, CHINESE.encode("gb18030"))
    source = open_rows(path)
    assert (source.encoding, source.encoding_detected) == ("gb18030", True)
    assert list(source()) == CHINESE_ROWS


def test_gbk_export_read_detected_and_with_explicit_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, CHINESE.encode("gbk"))
    assert list(open_rows(path)()) == CHINESE_ROWS
    source = open_rows(path, encoding="GBK")
    assert (source.encoding, source.encoding_detected) == ("gbk", False)
    assert list(source()) == CHINESE_ROWS


def test_detection_decodes_across_chunk_boundaries(tmp_path: Path) -> None:
    # multi-byte characters cut by every chunk boundary must not look invalid
    text = "客户编号,渠道\n" + "".join(f"C{i},直销渠道\n" for i in range(60_000))
    assert detect_encoding(write(tmp_path, text.encode("utf-8"))) == "utf-8"
    assert detect_encoding(write(tmp_path, text.encode("gb18030"), "gb.csv")) == "gb18030"


def test_neither_utf8_nor_gb18030_names_the_byte_offset(tmp_path: Path) -> None:
    data = b"id,name\nA1,ok\nA2,\xff\xfe\xff\n"  # 0xFF is invalid in both
    with pytest.raises(KamcoreError) as info:
        open_rows(write(tmp_path, data))
    message = str(info.value)
    offset = data.index(0xFF)
    assert "in.csv" in message
    assert f"byte offset {offset}" in message
    assert "--encoding" in message


def test_explicit_wrong_encoding_fails_with_the_byte_offset_and_line(tmp_path: Path) -> None:
    good = b"id,name\n" + b"".join(b"A%d,ok\n" % i for i in range(3000))
    data = good + "B,直销\n".encode("gb18030")  # 直 happens to be valid UTF-8; 销 is not
    path = write(tmp_path, data)
    source = open_rows(path, encoding="utf-8")  # the header is fine
    offset = len(good) + 4
    with pytest.raises(KamcoreError, match=rf"in\.csv:3002: cannot decode .*byte offset {offset}"):
        list(source())


def test_unknown_encoding_name(tmp_path: Path) -> None:
    with pytest.raises(KamcoreError, match="unknown encoding 'klingon'"):
        open_rows(write(tmp_path, b"id\nA\n"), encoding="klingon")


def test_nothing_is_stripped_and_short_rows_are_padded(tmp_path: Path) -> None:
    path = write(tmp_path, b"id,revenue,note\n A1 , 1 000 \nA2\n")
    assert list(open_rows(path)()) == [
        {"id": " A1 ", "revenue": " 1 000 ", "note": ""},
        {"id": "A2", "revenue": "", "note": ""},
    ]


def test_reading_twice_gives_equal_rows_from_fresh_iterators(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, CHINESE.encode("gb18030")))
    first, second = source(), source()
    assert first is not second
    assert next(second) == CHINESE_ROWS[0]  # interleaved reads are independent
    assert list(first) == CHINESE_ROWS
    assert list(source()) == CHINESE_ROWS


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"in\.csv:1: empty file"),
        (b"\nA1,2\n", r"in\.csv:1: empty header line"),
        (b",\nA1,2\n", r"in\.csv:1: empty header line"),
        (b"id,,revenue, \n", r"in\.csv:1: bad header: column 2, 4 has no name"),
        (
            b"id,revenue,id\nA,1,B\n",
            r"in\.csv:1: bad header: duplicate column name 'id' \(columns 1 and 3\)",
        ),
    ],
)
def test_header_problems_name_the_file_and_line(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(KamcoreError, match=message):
        open_rows(write(tmp_path, data))


def test_more_cells_than_the_header_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, b'id,revenue\nA1,100\n\n"A2\nsecond line",2\nA3,1,234,567\n')
    source = open_rows(path)
    with pytest.raises(KamcoreError, match=r"in\.csv:6: row 3 has 4 cells .* 2 columns"):
        list(source())


def test_line_of_follows_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    data = b'id,note\nA1,x\n\nA2,"two\nlines"\nA3,y\r\n\r\nA4,z\n'
    source = open_rows(write(tmp_path, data))
    assert source.line_of(1) is None  # not read yet
    rows = list(source())
    assert [r["id"] for r in rows] == ["A1", "A2", "A3", "A4"]
    assert rows[1]["note"] == "two\nlines"
    assert [source.line_of(n) for n in range(1, 5)] == [2, 4, 6, 8]
    assert source.line_of(0) is None
    assert source.line_of(5) is None


def test_line_of_is_row_plus_one_without_surprises(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, b"id\n" + b"".join(b"A%d\n" % i for i in range(1000))))
    for _ in source():
        pass
    assert source.line_of(1) == 2
    assert source.line_of(1000) == 1001


def test_malformed_csv_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, b'id,note\nA1,ok\nA2,"never closed\n')
    with pytest.raises(KamcoreError, match=r"in\.csv:3: malformed CSV: unexpected end of data"):
        list(open_rows(path)())


def test_text_after_a_closing_quote_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, b'id,note\nA1,"ok"\nA2,"bad"cell\n')
    with pytest.raises(KamcoreError, match=r"in\.csv:3: malformed CSV"):
        list(open_rows(path)())
