"""The bundled sample files are exactly what ``kam sample`` makes: regenerating them gives the
same bytes, so the samples can always be rebuilt and reviewed as generator changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SAMPLES, expect, kam

BUNDLED = {
    "acme-industrial.csv": ["--accounts", "300"],
    "acme-industrial-gb18030.csv": ["--accounts", "300", "--encoding", "gb18030"],
    "crm-export-cn.csv": ["--accounts", "300", "--encoding", "gb18030", "--chinese-headers"],
}


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_sample_is_regenerated_byte_for_byte(name: str, tmp_path: Path) -> None:
    expect(kam("sample", *BUNDLED[name], "-o", tmp_path / name))
    assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes()


def test_the_gb18030_sample_is_the_utf8_sample_in_chinese() -> None:
    text = (SAMPLES / "acme-industrial-gb18030.csv").read_bytes().decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        (SAMPLES / "acme-industrial-gb18030.csv").read_bytes().decode("utf-8")
    english = (SAMPLES / "acme-industrial.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == english.splitlines()[0]  # the same columns
    assert "有限公司" in text
    assert ",否," in text
    assert len(text.splitlines()) == len(english.splitlines()) == 301
    headers = (SAMPLES / "crm-export-cn.csv").read_bytes().decode("gb18030").splitlines()[0]
    assert headers.startswith("客户编号,客户名称,行业,区域,营业收入")
