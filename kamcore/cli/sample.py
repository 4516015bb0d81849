"""``kam sample``: a deterministic sample portfolio file, for demos, docs, tests and load tests.

The rows come from :func:`kamcore.sample.generate_accounts` (same ``--accounts`` and ``--seed``,
same rows, on every machine) plus a customer name. The options reproduce what real CRM exports
look like: GB18030 text as Chinese Excel writes it, Chinese names and 是/否 cells, and with
``--chinese-headers`` Chinese column headers, which a policy maps with ``[inputs.<fact>]
column = "营业收入"``. ``samples/`` holds files made by this command; a test regenerates them.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path
from typing import IO, Any

from .common import EXIT_OK, CliError, add_command

__all__ = ["CHINESE_HEADERS", "add_parser", "rows", "run", "write"]

_EXAMPLE = """
kam sample --accounts 300 -o samples/acme-industrial.csv
kam sample --accounts 300 --encoding gb18030 -o samples/acme-industrial-gb18030.csv
kam sample --accounts 200000 --seed 3 -o /tmp/big.jsonl
"""

#: Column headers as a Chinese CRM exports them (``--chinese-headers``).
CHINESE_HEADERS = {
    "id": "客户编号",
    "name": "客户名称",
    "industry": "行业",
    "region": "区域",
    "revenue_12m": "营业收入",
    "revenue_prev_12m": "上年营业收入",
    "gross_margin": "毛利率",
    "orders_12m": "订单数",
    "days_since_last_order": "距上次下单天数",
    "years_as_customer": "合作年限",
    "nps": "净推荐值",
    "open_tickets": "未结工单数",
    "share_of_wallet": "钱包份额",
    "strategic": "战略客户",
}

_CITIES = (
    ("上海", "Shanghai"), ("苏州", "Suzhou"), ("深圳", "Shenzhen"), ("广州", "Guangzhou"),
    ("北京", "Beijing"), ("天津", "Tianjin"), ("杭州", "Hangzhou"), ("南京", "Nanjing"),
    ("宁波", "Ningbo"), ("成都", "Chengdu"), ("武汉", "Wuhan"), ("青岛", "Qingdao"),
)  # fmt: skip
_BRANDS = (
    ("华信", "Huaxin"), ("宏达", "Hongda"), ("东方", "Dongfang"), ("金科", "Jinke"),
    ("恒通", "Hengtong"), ("新元", "Xinyuan"), ("德力", "Deli"), ("瑞丰", "Ruifeng"),
    ("中联", "Zhonglian"), ("永盛", "Yongsheng"), ("天成", "Tiancheng"), ("汇源", "Huiyuan"),
)  # fmt: skip
_KINDS = {
    "retail": ("商贸有限公司", "Trading Co., Ltd."),
    "fmcg": ("食品有限公司", "Foods Co., Ltd."),
    "saas": ("软件科技有限公司", "Software Co., Ltd."),
    "manufacturing": ("机械制造有限公司", "Machinery Co., Ltd."),
    "ict": ("信息技术有限公司", "Information Technology Co., Ltd."),
    "other": ("实业有限公司", "Industrial Co., Ltd."),
}


def add_parser(subparsers: Any) -> None:
    """Declare ``kam sample``."""
    parser = add_command(
        subparsers,
        "sample",
        "write a deterministic sample portfolio (CSV, JSON Lines or JSON)",
        "Write N generated accounts to FILE; the format follows the suffix (.csv, .jsonl, "
        ".json). The same --accounts and --seed always give the same file.",
        _EXAMPLE,
    )
    parser.add_argument("--accounts", type=int, default=300, metavar="N", help="(default 300)")
    parser.add_argument("--seed", type=int, default=7, metavar="S", help="(default 7)")
    parser.add_argument(
        "--encoding", choices=("utf-8", "utf-8-sig", "gb18030"), default="utf-8", help="CSV only"
    )
    parser.add_argument(
        "--chinese-headers", action="store_true", help="Chinese column headers (CSV/JSON keys)"
    )
    parser.add_argument(
        "--names",
        choices=("en", "zh"),
        help="customer names and yes/no cells in English or Chinese "
        "(default: zh with gb18030 or --chinese-headers, else en)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="FILE")
    parser.set_defaults(run=run)


def rows(n: int, seed: int, *, chinese: bool, chinese_headers: bool) -> list[dict[str, Any]]:
    """The sample rows: generated accounts with a customer name, optionally in Chinese."""
    from ..sample import generate_accounts

    rng = random.Random(f"names:{seed}")
    out = []
    for account in generate_accounts(n, seed):
        city, brand = rng.choice(_CITIES), rng.choice(_BRANDS)
        kind = _KINDS.get(account["industry"], _KINDS["other"])
        name = city[0] + brand[0] + kind[0] if chinese else f"{city[1]} {brand[1]} {kind[1]}"
        row = {"id": account.pop("id"), "name": name, **account}
        if chinese_headers:
            row = {CHINESE_HEADERS.get(k, k): v for k, v in row.items()}
        out.append(row)
    return out


def _cell(value: Any, chinese: bool) -> str:
    if isinstance(value, bool):
        return ("是" if value else "否") if chinese else ("true" if value else "false")
    return "" if value is None else str(value)


def write(handle: IO[str], data: list[dict[str, Any]], fmt: str, *, chinese: bool) -> None:
    """Write the rows as CSV, JSON Lines or JSON (``\\n`` line ends), row by row."""
    if fmt == "jsonl":
        for r in data:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "json":
        handle.write("[\n")
        for i, r in enumerate(data):
            handle.write((",\n" if i else "") + json.dumps(r, ensure_ascii=False))
        handle.write("\n]\n")
    else:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(data[0]) if data else [])
        for r in data:
            writer.writerow([_cell(v, chinese) for v in r.values()])


def run(args: argparse.Namespace) -> int:
    """Write the sample file atomically."""
    from ..io import atomic_path

    if args.accounts < 1:
        raise CliError("--accounts must be at least 1")
    output = Path(args.output)
    fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}.get(
        output.suffix.lower()
    )
    if fmt is None:
        raise CliError(f"{args.output}: write .csv, .jsonl or .json")
    chinese = args.names == "zh" or (
        args.names is None and (args.encoding == "gb18030" or args.chinese_headers)
    )
    data = rows(args.accounts, args.seed, chinese=chinese, chinese_headers=args.chinese_headers)
    encoding = args.encoding if fmt == "csv" else "utf-8"
    output.parent.mkdir(parents=True, exist_ok=True)
    with (
        atomic_path(output) as tmp,
        open(tmp, "w", encoding=encoding, newline="") as handle,
    ):
        write(handle, data, fmt, chinese=chinese)
    print(f"{args.accounts} accounts written to {output} ({fmt}, {encoding})")
    return EXIT_OK
