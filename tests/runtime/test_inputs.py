"""Reading rows into typed facts: every cell rule, both row shapes, and the exact error wording."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kamcore.errors import AccountError
from kamcore.models import Account
from kamcore.resources import read_schema
from kamcore.runtime import cells, inputs
from kamcore.runtime.cells import CellError, is_missing, parse_boolean, parse_date, parse_number
from kamcore.runtime.inputs import LIST_FIELDS, FactInput, InputReader, input_digest
from kamcore.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING, Type

D = dt.date
ACCOUNT_SCHEMA = Draft202012Validator(
    read_schema("account"), format_checker=Draft202012Validator.FORMAT_CHECKER
)


def reader(*inputs: FactInput, known: dict[str, Type] | None = None) -> InputReader:
    return InputReader({fi.name: fi for fi in inputs}, known or {})


def read_one(fi: FactInput, cell: Any) -> Any:
    """The value of ``fi`` read from a flat row whose only other cell is the id."""
    return reader(fi).read({"id": "A1", fi.column: cell}, 2)[1][fi.name]


def error_of(fi: FactInput, cell: Any) -> AccountError:
    with pytest.raises(AccountError) as info:
        read_one(fi, cell)
    return info.value


MONEY = FactInput("revenue_12m", "revenue_12m", Type("number", unit="CNY"), currency="CNY")
RATIO = FactInput("share", "share", NUMBER)
COUNT = FactInput("orders", "orders", INTEGER)
FLAG = FactInput("strategic", "strategic", BOOLEAN)
SINCE = FactInput("since", "since", DATE)


# -- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1234", 1234.0),
        ("1,234.50", 1234.5),
        ("1,234,567", 1234567.0),
        ("1_234", 1234.0),
        (" 12 ", 12.0),
        ("-12.5", -12.5),
        ("+3", 3.0),
        (".5", 0.5),
        ("1.5e3", 1500.0),
        ("12%", 0.12),
        ("12.3%", 0.123),  # exact: not 0.12300000000000001
        ("-5 %", -0.05),
        ("(1,234)", -1234.0),
        ("( 7.5 )", -7.5),
    ],
)
def test_number_cells(cell: str, expected: float) -> None:
    value = read_one(RATIO, cell)
    assert value == expected
    assert type(value) is float


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("¥1,234", 1234.0),
        ("￥1,234", 1234.0),
        ("CNY 1,234", 1234.0),
        ("CNY1234.5", 1234.5),
        ("RMB 10", 10.0),
        ("-¥5", -5.0),
        ("¥-5", -5.0),
        ("(¥1,234)", -1234.0),
        ("1,234", 1234.0),
    ],
)
def test_money_cells_accept_a_currency_prefix_that_agrees(cell: str, expected: float) -> None:
    assert read_one(MONEY, cell) == expected


@pytest.mark.parametrize(
    ("currency", "cell"),
    [("USD", "$1,234"), ("USD", "US$1,234"), ("CAD", "$5"), ("EUR", "€5"), ("GBP", "£5")],
)
def test_currency_symbols(currency: str, cell: str) -> None:
    fi = FactInput("amount", "amount", Type("number", unit=currency), currency=currency)
    assert read_one(fi, cell) > 0


def test_money_currency_may_come_from_the_type_unit() -> None:
    fi = FactInput("amount", "amount", Type("number", unit="EUR"))
    assert read_one(fi, "€1,000") == 1000.0


@pytest.mark.parametrize(
    ("fi", "cell", "reason"),
    [
        (RATIO, "12,34", "cannot read '12,34' as a number"),
        (RATIO, "1,2345", "cannot read '1,2345' as a number"),
        (RATIO, "1234,567", "cannot read '1234,567' as a number"),
        (RATIO, "1.234,50", "cannot read '1.234,50' as a number"),
        (RATIO, "1,234_5", "cannot read '1,234_5' as a number"),
        (RATIO, "12abc", "cannot read '12abc' as a number"),
        (RATIO, "nan", "cannot read 'nan' as a number"),
        (RATIO, "inf", "cannot read 'inf' as a number"),
        (RATIO, "1e999", "cannot read '1e999' as a number"),
        (RATIO, "(-5)", "cannot read '(-5)' as a number"),
        (RATIO, "--5", "cannot read '--5' as a number"),
        (RATIO, True, "cannot read True as a number"),
        (RATIO, [1], "cannot read [1] as a number"),
        (
            RATIO,
            "$5",
            "cannot read '$5' as a number (a currency is allowed on money inputs only)",
        ),
        (MONEY, "$1,234", "'$1,234' is not in CNY, the currency of this input"),
        (MONEY, "USD 1,234", "'USD 1,234' is not in CNY, the currency of this input"),
        (MONEY, "¥12%", "cannot read '¥12%' as a number"),
        (MONEY, "12%", "cannot read '12%' as an amount of CNY"),
        (COUNT, "12.5", "cannot read '12.5' as an integer: it is not a whole number"),
        (COUNT, 12.5, "cannot read 12.5 as an integer: it is not a whole number"),
        (COUNT, "12%", "cannot read '12%' as an integer (a percentage is not a count)"),
        (
            COUNT,
            "¥12",
            "cannot read '¥12' as an integer (a currency is allowed on money inputs only)",
        ),
        (COUNT, True, "cannot read True as an integer"),
    ],
)
def test_number_rejections_say_why(fi: FactInput, cell: Any, reason: str) -> None:
    err = error_of(fi, cell)
    assert err.reason == reason
    assert err.account_id == "A1"
    assert err.where == f"inputs.{fi.name} (column {fi.column!r}, row 2)"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("12", 12), ("1,200", 1200), ("1_200", 1200), ("12.0", 12), ("(3)", -3), ("1e3", 1000)],
)
def test_integer_cells(cell: str, expected: int) -> None:
    value = read_one(COUNT, cell)
    assert value == expected
    assert type(value) is int


def test_typed_json_numbers_are_taken_as_they_are() -> None:
    assert read_one(RATIO, 3) == 3.0
    assert type(read_one(RATIO, 3)) is float
    assert read_one(COUNT, 4.0) == 4
    assert type(read_one(COUNT, 4.0)) is int
    assert read_one(MONEY, 10) == 10.0


def test_parse_number_directly() -> None:
    assert parse_number("1,234", integer=True) == 1234
    with pytest.raises(CellError, match="cannot read '1,23' as a number"):
        parse_number("1,23")


# -- booleans -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["true", "TRUE", "True", "yes", "Y", "y", "1", "是", "真", " yes ", True, 1]
)
def test_true_cells(cell: Any) -> None:
    assert read_one(FLAG, cell) is True


@pytest.mark.parametrize("cell", ["false", "No", "n", "0", "否", "假", False, 0])
def test_false_cells(cell: Any) -> None:
    assert read_one(FLAG, cell) is False


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("maybe", "cannot read 'maybe' as a boolean (write true/false, yes/no, 1/0 or 是/否)"),
        ("t", "cannot read 't' as a boolean (write true/false, yes/no, 1/0 or 是/否)"),
        (2, "cannot read 2 as a boolean"),
        (1.0, "cannot read 1.0 as a boolean"),
    ],
)
def test_boolean_rejections(cell: Any, reason: str) -> None:
    assert error_of(FLAG, cell).reason == reason


def test_parse_boolean_directly() -> None:
    assert parse_boolean("是") is True
    with pytest.raises(CellError):
        parse_boolean("ok")


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2026-03-01",
        "2026/03/01",
        "2026/3/1",
        "2026.03.01",
        "20260301",
        "2026年3月1日",
        "2026 年 3 月 1 日",
        " 2026-03-01 ",
        "2026-03-01T09:30:00",
        "2026-03-01T23:30:00-05:00",
        "2026-03-01T09:30:00.123Z",
        "2026-03-01 09:30",
        "2026/3/1 9:05",
        dt.date(2026, 3, 1),
        dt.datetime(2026, 3, 1, 23, 59),
    ],
)
def test_date_cells(cell: Any) -> None:
    value = read_one(SINCE, cell)
    assert value == D(2026, 3, 1)
    assert type(value) is dt.date


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (
            "03/01/2026",
            "cannot read '03/01/2026' as a date: the day and the month could be either way "
            'round; declare a format for this input, e.g. "%d/%m/%Y" or "%m/%d/%Y"',
        ),
        (
            "13.01.26",
            "cannot read '13.01.26' as a date: the day and the month could be either way "
            'round; declare a format for this input, e.g. "%d.%m.%y" or "%m.%d.%y"',
        ),
        ("2026-02-30", "cannot read '2026-02-30' as a date"),
        ("2026-13-01", "cannot read '2026-13-01' as a date"),
        ("2026-03/01", "cannot read '2026-03/01' as a date"),
        ("2026-03-01 25:00", "cannot read '2026-03-01 25:00' as a date"),
        ("March 1, 2026", "cannot read 'March 1, 2026' as a date"),
        (46082, "cannot read 46082 as a date"),  # an Excel serial number is not guessed
    ],
)
def test_date_rejections(cell: Any, reason: str) -> None:
    assert error_of(SINCE, cell).reason == reason


def test_explicit_date_format_resolves_day_and_month() -> None:
    us = FactInput("since", "since", DATE, format="%m/%d/%Y")
    eu = FactInput("since", "since", DATE, format="%d/%m/%Y")
    assert read_one(us, "03/01/2026") == D(2026, 3, 1)
    assert read_one(eu, "03/01/2026") == D(2026, 1, 3)
    err = error_of(us, "2026-03-01")
    assert err.reason == "cannot read '2026-03-01' as a date in the format '%m/%d/%Y'"


def test_parse_date_directly() -> None:
    assert parse_date("2026年12月31日") == D(2026, 12, 31)
    assert parse_date("31.12.2026", "%d.%m.%Y") == D(2026, 12, 31)


# -- strings, lists, missing cells ----------------------------------------------------------------


def test_strings_are_stripped_and_checked_against_allowed_values() -> None:
    grade = FactInput("grade", "grade", STRING, allowed=frozenset({"A", "B"}))
    assert read_one(grade, "  A ") == "A"
    assert read_one(FactInput("code", "code", STRING), 200100) == "200100"
    err = error_of(grade, "a")
    assert err.reason == "'a' is not one of the allowed values: 'A', 'B'"
    assert error_of(grade, 1.5).reason == "cannot read 1.5 as text"


def test_lists() -> None:
    tags = FactInput("tags", "tags", Type("list", item=STRING), allowed=frozenset({"x", "y"}))
    assert read_one(tags, '["x", " y "]') == ["x", "y"]
    assert read_one(tags, ("x",)) == ["x"]
    assert error_of(tags, "x;y").reason == (
        'cannot read \'x;y\' as a list (write a JSON array, e.g. ["a", "b"])'
    )
    assert error_of(tags, '["z"]').reason == (
        "item 0 of the list: 'z' is not one of the allowed values: 'x', 'y'"
    )
    assert error_of(tags, ["x", None]).reason == "item 1 of the list is empty"


@pytest.mark.parametrize(
    "cell", [None, "", "   ", "NA", "na", "N/A", "n/a", "null", "NULL", "-", float("nan")]
)
def test_missing_cells(cell: Any) -> None:
    assert is_missing(cell)
    assert read_one(RATIO, cell) is None
    with_default = FactInput("share", "share", NUMBER, default=0)
    assert read_one(with_default, cell) == 0.0
    required = FactInput("share", "share", NUMBER, required=True)
    err = error_of(required, cell)
    assert err.reason == "a value is required but the cell is empty"
    assert err.where == "inputs.share (column 'share', row 2)"


@pytest.mark.parametrize("cell", ["0", 0, "none", "n/a2", "--"])
def test_not_missing(cell: Any) -> None:
    assert not is_missing(cell)


def test_defaults_are_typed_once() -> None:
    since = FactInput("since", "since", DATE, default="2026-01-01")
    assert read_one(since, "") == D(2026, 1, 1)
    with pytest.raises(ValueError, match=r"inputs.share: the default 'x' is invalid"):
        reader(FactInput("share", "share", NUMBER, default="x"))


@pytest.mark.parametrize(
    "name",
    ["MISSING_MARKERS", "CellError", "is_missing", "parse_boolean", "parse_date", "parse_number"],
)
def test_cell_parsers_are_still_importable_from_inputs(name: str) -> None:
    assert name in inputs.__all__
    assert getattr(inputs, name) is getattr(cells, name)


# -- defaults are told in the notes ---------------------------------------------------------------

CHANNEL = FactInput("channel", "渠道", STRING, default="direct")


@pytest.mark.parametrize(
    ("row", "note"),
    [
        (
            {"id": "A1", "渠道": "  "},
            "input `channel` (column '渠道') was empty; used the default 'direct'",
        ),
        (
            {"id": "A1"},
            "input `channel` (column '渠道') was not in the row; used the default 'direct'",
        ),
    ],
)
def test_a_default_used_on_a_flat_row_is_noted(row: dict[str, Any], note: str) -> None:
    notes: list[str] = ["earlier"]
    _, values = reader(CHANNEL).read(row, 3, notes)
    assert values["channel"] == "direct"
    assert notes == ["earlier", note]  # appended to what the caller had


def test_notes_quote_the_default_as_the_policy_wrote_it() -> None:
    since = FactInput("since", "since", DATE, default=D(2026, 1, 1))  # a TOML date
    share = FactInput("share", "share", NUMBER, default=0)  # read as 0.0
    notes: list[str] = []
    _, values = reader(since, share).read({"id": "A1", "since": "", "share": "n/a"}, None, notes)
    assert (values["since"], values["share"]) == (D(2026, 1, 1), 0.0)
    assert notes == [
        "input `since` (column 'since') was empty; used the default 2026-01-01",
        "input `share` (column 'share') was empty; used the default 0",
    ]


def test_no_note_without_a_default_used_or_without_a_list() -> None:
    r = reader(
        CHANNEL,
        FactInput("region_code", "region_code", STRING),
        known={"kind": Type("string", optional=True)},
    )
    notes: list[str] = []
    _, values = r.read({"id": "A1", "渠道": "partner", "region_code": ""}, 2, notes)
    assert values["channel"] == "partner"
    assert values["region_code"] is None  # empty without a default: None, no note
    assert values["kind"] == "customer"  # the account model's own default: no note either
    assert notes == []
    assert r.read({"id": "A1"}) == r.read({"id": "A1"}, None, [])  # notes change no value


def test_a_declared_column_absent_from_a_flat_row_is_noted_with_a_suggestion() -> None:
    r = reader(FactInput("revenue_12m", "Revenue 12m", NUMBER))
    notes: list[str] = []
    _, values = r.read({"id": "A1", "Revenue_12m": "5"}, 2, notes)
    assert values["revenue_12m"] is None
    assert notes == [
        "input `revenue_12m`: the row has no column 'Revenue 12m'; did you mean 'Revenue_12m'?"
    ]


def test_master_data_is_read_only_when_the_policy_reads_it() -> None:
    _, values = reader().read({"id": "A1", "industry": "retail"})
    assert "industry" not in values


def test_required_fact_without_a_column() -> None:
    required = FactInput("revenue_12m", "营业收入", NUMBER, required=True)
    with pytest.raises(AccountError) as info:
        reader(required).read({"id": "A1"})
    assert info.value.reason == "the row has no column '营业收入'"
    assert info.value.where == "inputs.revenue_12m (column '营业收入')"


# -- flat rows ------------------------------------------------------------------------------------


def test_flat_row_reads_inputs_known_facts_and_master_data() -> None:
    r = reader(
        FactInput("revenue_12m", "营业收入", Type("number", unit="CNY"), currency="CNY"),
        known={
            "nps": Type("integer", optional=True),
            "retail.weighted_distribution": NUMBER,
            "industry": Type("string", optional=True),
            "kind": Type("string", optional=True),
            "region": Type("string", optional=True),
        },
    )
    account_id, values = r.read(
        {
            "id": " A1 ",
            "营业收入": "¥1,234.5",
            "nps": "9",
            "retail.weighted_distribution": "70%",
            "industry": " retail ",
            "unrelated": "ignored",
        },
        4,
    )
    assert account_id == "A1"
    assert values["revenue_12m"] == 1234.5
    assert values["nps"] == 9
    assert values["retail.weighted_distribution"] == 0.7
    assert values["industry"] == "retail"
    assert values["kind"] == "customer"
    assert values["region"] is None
    assert "unrelated" not in values
    assert all(values[name] is None for name in LIST_FIELDS)
    assert {"industry", "kind", "region"} <= set(values)  # the master data asked for


def test_known_fact_types_apply_and_required_known_facts_are_enforced() -> None:
    r = reader(known={"orders_12m": INTEGER})  # not optional: a plugin marked it required
    with pytest.raises(AccountError) as info:
        r.read({"id": "A1", "orders_12m": "2.5"}, 7)
    assert info.value.where == "inputs.orders_12m (column 'orders_12m', row 7)"
    assert info.value.reason == "cannot read '2.5' as an integer: it is not a whole number"
    with pytest.raises(AccountError, match="the row has no column 'orders_12m'"):
        r.read({"id": "A1"})


def test_an_input_overrides_a_known_fact_of_the_same_name() -> None:
    r = reader(FactInput("revenue_12m", "Umsatz", NUMBER), known={"revenue_12m": INTEGER})
    _, values = r.read({"id": "A1", "Umsatz": "1.5", "revenue_12m": "999"})
    assert values["revenue_12m"] == 1.5


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"id": "A1"}, "A1"),
        ({"account_id": "B2"}, "B2"),
        ({"id": 42}, "42"),
        ({"id": "", "account_id": "C"}, "C"),
    ],
)
def test_id_columns(row: dict[str, Any], expected: str) -> None:
    assert reader().read(row)[0] == expected


def test_an_id_input_names_the_id_column() -> None:
    r = reader(FactInput("id", "客户编号", STRING))
    account_id, values = r.read({"客户编号": "K-9", "id": "not this"})
    assert account_id == "K-9"
    assert values["id"] == "K-9"


@pytest.mark.parametrize("row", [{}, {"id": ""}, {"id": "  "}, {"id": "NA"}, {"name": "x"}])
def test_missing_id(row: dict[str, Any]) -> None:
    with pytest.raises(AccountError) as info:
        reader().read(row, 3)
    assert (info.value.account_id, info.value.where, info.value.reason) == (
        None,
        "inputs.id",
        "the row has no account id",
    )


def test_a_non_text_id_is_refused() -> None:
    with pytest.raises(AccountError, match=r"the account id must be text, got 4\.5"):
        reader().read({"id": 4.5})


def test_gb18030_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(
        (
            "客户编号,客户名称,营业收入,签约日期,战略客户,备注\n"
            'K001,华东零售,"¥1,234,567.80",2026年3月1日,是,无关\n'
            "K002,南方超市,CNY 800,2026/1/5,否,\n"
        ).encode("gb18030")
    )
    r = reader(
        FactInput("id", "客户编号", STRING),
        FactInput("name", "客户名称", STRING),
        FactInput("revenue_12m", "营业收入", Type("number", unit="CNY"), True, currency="CNY"),
        FactInput("signed_on", "签约日期", DATE),
        FactInput("strategic", "战略客户", BOOLEAN),
    )
    with path.open(encoding="gb18030", newline="") as f:
        got = [r.read(row, n) for n, row in enumerate(csv.DictReader(f), start=2)]
    assert [account_id for account_id, _ in got] == ["K001", "K002"]
    first, second = got[0][1], got[1][1]
    assert first["name"] == "华东零售"
    assert first["revenue_12m"] == 1234567.8
    assert first["signed_on"] == D(2026, 3, 1)
    assert first["strategic"] is True
    assert "备注" not in first
    assert (second["revenue_12m"], second["signed_on"], second["strategic"]) == (
        800.0,
        D(2026, 1, 5),
        False,
    )


def test_a_currency_sign_needs_a_money_input() -> None:
    plain = reader(FactInput("revenue_12m", "营业收入", NUMBER))
    with pytest.raises(AccountError) as info:
        plain.read({"id": "K001", "营业收入": "¥1,234"}, 2)
    assert info.value.where == "inputs.revenue_12m (column '营业收入', row 2)"
    assert info.value.reason == (
        "cannot read '¥1,234' as a number (a currency is allowed on money inputs only)"
    )


# -- account-shaped documents ---------------------------------------------------------------------


def account_doc() -> dict[str, Any]:
    return {
        "id": "ACME",
        "name": "Acme Retail",
        "kind": "customer",
        "industry": "retail",
        "currency": "CNY",
        "owners": [{"role": "account_manager", "name": "Wang"}],
        "team": ["Wang", "Li"],
        "attributes": {"retail": {"weighted_distribution": 0.7, "banner": "Acme"}},
        "facts": {"revenue_12m": 1_200_000, "orders_12m": 14.0, "free": "as is"},
        "transactions": [
            {"date": "2026-01-15", "amount": 1200, "currency": "CNY"},
            {"date": dt.date(2026, 2, 1), "amount": 99.5, "product": "widgets"},
        ],
        "contacts": [
            {
                "name": "Zhao",
                "buying_role": "economic_buyer",
                "influence": 5,
                "attitude": "supporter",
            },
            {
                "name": "Qian",
                "buying_role": "user",
                "influence": 2,
                "active": False,
                "left_on": "2026-02-01",
            },
        ],
        "support_tickets": [
            {"id": "T1", "opened": "2026-02-03", "priority": "p1", "status": "open"}
        ],
        "survey_responses": [{"date": "2026-01-20", "kind": "nps", "score": 9}],
    }


def test_account_shaped_document() -> None:
    r = reader(
        FactInput("revenue_12m", "营业收入", Type("number", unit="CNY"), currency="CNY"),
        known={
            "orders_12m": Type("integer", optional=True),
            "retail.weighted_distribution": NUMBER,
            "name": Type("string", optional=True),
            "region": Type("string", optional=True),
        },
    )
    account_id, values = r.read(account_doc(), 1)
    assert account_id == "ACME"
    assert values["revenue_12m"] == 1_200_000.0
    assert type(values["revenue_12m"]) is float
    assert values["orders_12m"] == 14
    assert values["retail.weighted_distribution"] == 0.7
    # undeclared attributes and facts are not read: no checked expression could name them
    assert "retail.banner" not in values
    assert "free" not in values
    assert values["name"] == "Acme Retail"
    assert values["region"] is None
    assert values["team"] == ["Wang", "Li"]
    assert values["owners"] == [{"role": "account_manager", "name": "Wang", "email": None}]
    assert values["transactions"] == [
        {
            "date": D(2026, 1, 15),
            "amount": 1200.0,
            "currency": "CNY",
            "quantity": None,
            "product": None,
        },
        {
            "date": D(2026, 2, 1),
            "amount": 99.5,
            "currency": None,
            "quantity": None,
            "product": "widgets",
        },
    ]
    assert values["contacts"][0]["active"] is True  # model defaults are filled in
    assert values["contacts"][1]["attitude"] == "unknown"
    assert values["contacts"][1]["left_on"] == D(2026, 2, 1)
    assert values["support_tickets"][0]["closed"] is None
    assert values["contracts"] == []
    assert values["wallet_estimates"] == []


def test_account_instance_reads_like_its_dict() -> None:
    doc = account_doc()
    r = reader(known={"orders_12m": Type("integer", optional=True)})
    assert r.read(Account.model_validate(doc)) == r.read(doc)


def test_light_check_agrees_with_the_model_and_schema_on_a_valid_document() -> None:
    doc = account_doc()
    json_doc = Account.model_validate(doc).model_dump(mode="json", exclude_defaults=True)
    assert not list(ACCOUNT_SCHEMA.iter_errors(json_doc))
    account_id, _ = reader().read(json_doc)
    assert account_id == "ACME"


@pytest.mark.parametrize(
    ("patch", "where", "reason"),
    [
        (
            {"idd": "x"},
            "inputs (row 5)",
            "unknown field 'idd' in the account (see schemas/account.schema.json)",
        ),
        (
            {"kind": "client"},
            "inputs.kind (row 5)",
            "expected one of 'customer', 'former', 'partner', 'prospect', got 'client'",
        ),
        (
            {"currency": "rmb"},
            "inputs.currency (row 5)",
            "'rmb' is not a 3-letter ISO 4217 currency code",
        ),
        ({"name": 5}, "inputs.name (row 5)", "expected text, got 5"),
        ({"facts": [1]}, "inputs.facts (row 5)", "expected an object, got [1]"),
        (
            {"attributes": {"retail": 1}},
            "inputs.attributes.retail (row 5)",
            "expected an object of attributes, got 1",
        ),
        ({"team": "Wang"}, "inputs.team (row 5)", "expected a list of names, got 'Wang'"),
        (
            {"transactions": {"date": "2026-01-01"}},
            "inputs.transactions (row 5)",
            "expected a list, got {'date': '2026-01-01'}",
        ),
        ({"transactions": ["x"]}, "inputs.transactions[0] (row 5)", "expected an object, got 'x'"),
        (
            {"transactions": [{"date": "2026-01-01"}]},
            "inputs.transactions[0].amount (row 5)",
            "a value is required",
        ),
        (
            {"transactions": [{"date": "2026-01-01", "amount": "12"}]},
            "inputs.transactions[0].amount (row 5)",
            "expected a number, got '12'",
        ),
        (
            {"transactions": [{"date": "01/02/2026", "amount": 1}]},
            "inputs.transactions[0].date (row 5)",
            "cannot read '01/02/2026' as a date: the day and the month could be either way round;"
            ' declare a format for this input, e.g. "%d/%m/%Y" or "%m/%d/%Y"',
        ),
        (
            {"transactions": [{"date": "2026-01-01", "amount": 1, "currency": "usd"}]},
            "inputs.transactions[0].currency (row 5)",
            "'usd' does not match the pattern '^[A-Z]{3}$'",
        ),
        (
            {"transactions": [{"date": "2026-01-01", "amount": 1, "qty": 2}]},
            "inputs.transactions[0] (row 5)",
            "unknown field 'qty' (known: date, amount, currency, quantity, product)",
        ),
        (
            {"contacts": [{"name": "Z", "buying_role": "boss", "influence": 3}]},
            "inputs.contacts[0].buying_role (row 5)",
            "expected one of 'decision_maker', 'influencer', 'user', 'gatekeeper', 'champion',"
            " 'economic_buyer', 'technical_buyer', got 'boss'",
        ),
        (
            {"contacts": [{"name": "Z", "buying_role": "user", "influence": 6}]},
            "inputs.contacts[0].influence (row 5)",
            "must be at most 5, got 6",
        ),
        (
            {"contacts": [{"name": "Z", "buying_role": "user", "influence": 2.5}]},
            "inputs.contacts[0].influence (row 5)",
            "expected a whole number, got 2.5",
        ),
        (
            {"contacts": [{"name": "Z", "buying_role": "user", "influence": 2, "active": "yes"}]},
            "inputs.contacts[0].active (row 5)",
            "expected true or false, got 'yes'",
        ),
        (
            {"opportunities": [{"id": "O", "stage": "won", "amount": 1, "probability": 1.5}]},
            "inputs.opportunities[0].probability (row 5)",
            "must be at most 1, got 1.5",
        ),
        (
            {
                "support_tickets": [
                    {"id": "", "opened": "2026-01-01", "priority": "p1", "status": "x"}
                ]
            },
            "inputs.support_tickets[0].id (row 5)",
            "must not be empty",
        ),
        ({"owners": [{"role": "am"}]}, "inputs.owners[0].name (row 5)", "a value is required"),
    ],
)
def test_account_shaped_rejections(patch: dict[str, Any], where: str, reason: str) -> None:
    doc = {"id": "ACME", "facts": {}, **patch}
    with pytest.raises(AccountError) as info:
        reader().read(doc, 5)
    assert (info.value.account_id, info.value.where, info.value.reason) == ("ACME", where, reason)
    # the published schema refuses the same documents: the light check is not a dialect
    assert list(ACCOUNT_SCHEMA.iter_errors(doc))


def test_account_shaped_fact_errors_name_where_the_value_came_from() -> None:
    r = reader(known={"retail.weighted_distribution": NUMBER})
    doc = {"id": "ACME", "attributes": {"retail": {"weighted_distribution": "lots"}}}
    with pytest.raises(AccountError) as info:
        r.read(doc, 2)
    assert info.value.where == (
        "inputs.retail.weighted_distribution (column 'attributes.retail.weighted_distribution', "
        "row 2)"
    )
    assert info.value.reason == "cannot read 'lots' as a number"


@pytest.mark.parametrize(
    ("facts", "note"),
    [
        (
            {"channel": ""},
            "input `channel` (column 'facts.channel') was empty; used the default 'direct'",
        ),
        (
            {"渠道": None},
            "input `channel` (column 'facts.渠道') was empty; used the default 'direct'",
        ),
        ({}, "input `channel` (column '渠道') was not in the row; used the default 'direct'"),
    ],
)
def test_a_default_used_on_an_account_shaped_row_is_noted(facts: dict[str, Any], note: str) -> None:
    notes: list[str] = []
    _, values = reader(CHANNEL).read({"id": "ACME", "facts": facts}, 4, notes)
    assert values["channel"] == "direct"
    assert notes == [note]


def test_account_shaped_id_is_required_text() -> None:
    with pytest.raises(AccountError, match="the row has no account id"):
        reader().read({"facts": {"x": 1}})
    with pytest.raises(AccountError, match="the account id must be text, got 7"):
        reader().read({"id": 7, "facts": {}})


def test_an_id_input_reads_the_document_id_in_account_shape() -> None:
    r = reader(FactInput("id", "客户编号", STRING, required=True))
    account_id, values = r.read({"id": "ACME", "facts": {"id": "not this"}})
    assert account_id == "ACME"
    assert values["id"] == "ACME"
    _, values = reader().read({"id": "ACME", "facts": {}})
    assert "id" not in values  # not a fact unless the policy declares it


def test_account_shape_is_detected_by_its_fields() -> None:
    _, values = reader().read({"id": "A", "owners": []})
    assert values["transactions"] == []  # account-shaped: streams are lists
    _, values = reader().read({"id": "A", "name": "flat"})
    assert values["transactions"] is None  # flat: streams are missing


# -- input digest ---------------------------------------------------------------------------------


def test_input_digest_is_stable_and_sensitive() -> None:
    a = {"id": "A1", "revenue": "1,234", "名称": "华东", "since": dt.date(2026, 3, 1)}
    b = dict(reversed(list(a.items())))
    digest = input_digest(a)
    assert digest.startswith("sha256:")
    assert len(digest) == len("sha256:") + 64
    assert input_digest(b) == digest  # column order does not matter
    assert input_digest({**a, "since": "2026-03-01"}) == digest  # dates digest as ISO text
    assert input_digest({**a, "revenue": "1,235"}) != digest
    assert input_digest(a) == digest


def test_input_digest_of_an_account_instance() -> None:
    account = Account.model_validate(account_doc())
    assert input_digest(account) == input_digest(Account.model_validate(account_doc()))
    assert input_digest(account) == input_digest(account.model_dump(mode="json"))


def test_input_digest_refuses_values_without_a_json_form() -> None:
    with pytest.raises(TypeError, match="cannot digest a object"):
        input_digest({"id": object()})


def test_csv_cells_from_io() -> None:
    rows = csv.DictReader(io.StringIO('id,revenue_12m\nA,"1,000"\n'))
    r = reader(known={"revenue_12m": NUMBER})
    assert [r.read(row)[1]["revenue_12m"] for row in rows] == [1000.0]


def test_an_optional_column_simply_absent_is_not_noted() -> None:
    r = reader(FactInput("freezers", "冰柜数", NUMBER))
    notes: list[str] = []
    _, values = r.read({"id": "A1", "营业收入": "5"}, 2, notes)
    assert values["freezers"] is None
    assert notes == []
