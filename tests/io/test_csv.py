"""CSV input: encodings (UTF-8, BOM, GB18030/GBK), header checks, row numbers and lines."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from kamcore import KamcoreError
from kamcore.io import CsvSource, ShortRow, detect_encoding, open_rows
from kamcore.io.encoding import codec_name

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


def test_nothing_is_stripped(tmp_path: Path) -> None:
    path = write(tmp_path, b"id,revenue,note\n A1 , 1 000 ,\n")
    assert list(open_rows(path)()) == [{"id": " A1 ", "revenue": " 1 000 ", "note": ""}]


HEADER16 = (
    "id,name,industry,region,revenue_12m,revenue_prev_12m,gross_margin,orders_12m,"
    "days_since_last_order,years_as_customer,nps,open_tickets,share_of_wallet,strategic,"
    "渠道,关键联系人离职\n"
)
FULL16 = (
    'A1,"Hangzhou Co., Ltd.",retail,na,87898.06,74853.91,0.2,10,25,4.5,3,0,0.6,false,直销,false\n'
)


def test_a_truncated_last_line_is_a_short_row_not_a_padded_one(tmp_path: Path) -> None:
    # a copy cut off after 13 of 16 cells: padding would evaluate it with 3 invented blanks
    cut = "A2,Ningbo,retail,cn-east,7503758.42,0.0,0.3492,22,67,0.44,0,6,0.5976\n"
    source = open_rows(write(tmp_path, (HEADER16 + FULL16 + "\n" + cut).encode("utf-8")))
    first, second = list(source())
    assert type(first) is dict
    assert isinstance(second, ShortRow)
    assert len(second) == 13  # only the cells the line has: nothing invented
    assert "strategic" not in second
    assert second["share_of_wallet"] == "0.5976"
    assert (second.line, second.cells, second.expected) == (4, 13, 16)
    assert second.reason.startswith(
        "row 2 (line 4) has 13 cells but the header names 16 columns "
        "(no cell for strategic, 渠道, 关键联系人离职)"
    )
    assert second.account_id(("id", "account_id")) == "A2"
    assert source.line_of(2) == 4


def test_short_rows_are_yielded_in_order_and_the_read_goes_on(tmp_path: Path) -> None:
    data = b"id,revenue,note\nA1,1,x\n A2 \n\nA3,3,z\n,\n"
    rows = list(open_rows(write(tmp_path, data))())
    assert [type(r).__name__ for r in rows] == ["dict", "ShortRow", "dict", "ShortRow"]
    short, blank_id = rows[1], rows[3]
    assert isinstance(short, ShortRow)
    assert isinstance(blank_id, ShortRow)
    assert short == {"id": " A2 "}
    assert short.account_id() == "A2"  # stripped, as the engine reads ids
    assert "row 2 (line 3) has 1 cell but" in short.reason
    assert blank_id.account_id() is None  # no id: the engine records None
    assert "row 4 (line 6) has 2 cells" in blank_id.reason


def test_a_short_row_lists_at_most_five_missing_columns(tmp_path: Path) -> None:
    header = ",".join(f"c{i}" for i in range(10)).encode()
    rows = list(open_rows(write(tmp_path, header + b"\nA,B\n"))())
    (short,) = rows
    assert isinstance(short, ShortRow)
    assert "(no cell for c2, c3, c4, c5, c6 and 3 more)" in short.reason


def test_a_short_row_survives_copy_and_pickle(tmp_path: Path) -> None:
    (short,) = list(open_rows(write(tmp_path, b"id,a,b\nA1,2\n"))())
    assert isinstance(short, ShortRow)
    for other in (copy.copy(short), pickle.loads(pickle.dumps(short))):
        assert isinstance(other, ShortRow)
        assert other == short
        assert (other.reason, other.line) == (short.reason, short.line)


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


# -- Western European files must not pass for GB18030 ------------------------------------------

# every accented letter followed by a letter, so that the bytes also decode as GB18030
WESTERN = "id,name,Catégorie,région\nA1,Müller Straße,Crème,Nîmes\nA2,Köln,Bière,Zürich\n"


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_western_european_export_is_refused_not_read_as_gb18030(
    tmp_path: Path, encoding: str
) -> None:
    data = WESTERN.encode(encoding)
    data.decode("gb18030")  # the trap: it decodes, "Catégorie" as "Cat間orie"
    with pytest.raises(KamcoreError) as info:
        open_rows(write(tmp_path, data))
    message = str(info.value)
    assert f"byte offset {data.index(0xE9)}" in message
    assert "not into Chinese text" in message
    assert "Cat間orie" in message  # what GB18030 would have made of it
    assert "Catégorie" in message  # and what cp1252 reads
    assert "--encoding cp1252" in message
    assert "latin-1" in message


def test_a_western_european_export_reads_with_its_encoding_named(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, WESTERN.encode("cp1252")), encoding="cp1252")
    assert source.columns == ("id", "name", "Catégorie", "région")
    assert next(source())["name"] == "Müller Straße"


def test_gbk_with_a_few_rare_characters_is_still_gb18030(tmp_path: Path) -> None:
    # names use characters outside GB2312 (喆, 堃); they are a small share of real Chinese text
    lines = ["客户编号,客户名称,渠道"] + [f"C{i},杭州瑞丰贸易有限公司,直销" for i in range(20)]
    lines += ["C98,王喆,经销商", "C99,李堃,经销商"]
    path = write(tmp_path, ("\n".join(lines) + "\n").encode("gbk"))
    assert detect_encoding(path) == "gb18030"
    assert list(open_rows(path)())[-1] == {"客户编号": "C99", "客户名称": "李堃", "渠道": "经销商"}


def test_a_bytes_codec_is_not_an_encoding(tmp_path: Path) -> None:
    with pytest.raises(KamcoreError, match="unknown encoding 'base64'"):
        codec_name("base64")
    with pytest.raises(KamcoreError, match="unknown encoding 'rot13'"):
        open_rows(write(tmp_path, b"id\nA\n"), encoding="rot13")


# -- delimiters ---------------------------------------------------------------------------------


def test_semicolon_file_is_read_with_semicolons(tmp_path: Path) -> None:
    data = b"id;name;revenue\nA1;Hangzhou Co., Ltd.;1234,5\n"
    source = open_rows(write(tmp_path, data))
    assert source.delimiter == ";"
    assert source.columns == ("id", "name", "revenue")
    assert list(source()) == [{"id": "A1", "name": "Hangzhou Co., Ltd.", "revenue": "1234,5"}]


def test_semicolon_header_with_a_comma_in_a_column_name(tmp_path: Path) -> None:
    data = b"id;Umsatz (EUR, 12 Monate);Region\nA1;100;Nord\n"
    source = open_rows(write(tmp_path, data))
    assert source.delimiter == ";"
    assert source.columns == ("id", "Umsatz (EUR, 12 Monate)", "Region")


def test_tab_separated_file(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, b"id\tname\nA1\tBeta, Inc.\n"))
    assert source.delimiter == "\t"
    assert list(source()) == [{"id": "A1", "name": "Beta, Inc."}]


def test_excel_unicode_text_export_is_utf16_and_tab_separated(tmp_path: Path) -> None:
    text = "客户编号\t名称\r\nC001\t杭州瑞丰, 有限公司\r\n"
    source = open_rows(write(tmp_path, text.encode("utf-16"), "export.txt"), format="csv")
    assert (source.encoding, source.delimiter) == ("utf-16", "\t")
    assert list(source()) == [{"客户编号": "C001", "名称": "杭州瑞丰, 有限公司"}]


def test_a_one_column_utf16_file_defaults_to_tabs(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, "id\r\nA, B\r\n".encode("utf-16")))
    assert source.delimiter == "\t"
    assert list(source()) == [{"id": "A, B"}]


def test_comma_stays_the_default(tmp_path: Path) -> None:
    assert open_rows(write(tmp_path, b"id\nA1\n")).delimiter == ","
    # quoted semicolons in a comma header do not count
    source = open_rows(write(tmp_path, b'id,"a;b;c"\nA1,2\n', "q.csv"))
    assert (source.delimiter, source.columns) == (",", ("id", "a;b;c"))


def test_an_explicit_delimiter_wins(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, b"id|name;x\nA1|B;y\n"), delimiter="|")
    assert source.delimiter == "|"
    assert list(source()) == [{"id": "A1", "name;x": "B;y"}]
    with pytest.raises(KamcoreError, match="one character"):
        open_rows(write(tmp_path, b"id\n"), delimiter='"')
    (tmp_path / "in.jsonl").write_text('{"id": "A"}\n', encoding="utf-8")
    with pytest.raises(KamcoreError, match="delimiter applies to CSV input only"):
        open_rows(tmp_path / "in.jsonl", delimiter=";")


def test_too_many_cells_in_a_semicolon_file_blames_the_semicolon(tmp_path: Path) -> None:
    source = open_rows(write(tmp_path, b"id;note\nA1;a;b\n"))
    with pytest.raises(KamcoreError) as info:
        list(source())
    message = str(info.value)
    assert "in.csv:2: row 1 has 3 cells" in message
    assert "unquoted semicolon" in message
    assert "comma" not in message
    assert "thousands" not in message
