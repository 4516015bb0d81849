"""Small constructors for the pack's registrations, so every fact and metric carries its doc and
English and Chinese labels in one line of intent instead of five of keyword arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kamcore import Fact, Metric

__all__ = ["fact", "label", "metric"]


def label(en: str, zh: str) -> dict[str, str]:
    """Display labels in the two languages every registration carries."""
    return {"en": en, "zh": zh}


def fact(name: str, type_: str, en: str, zh: str, doc: str, *, unit: str | None = None) -> Fact:
    """A pack fact: optional (a flat export may lack the column), labelled and documented."""
    return Fact(name, type_, doc=doc, unit=unit, label=label(en, zh))


def metric(
    name: str,
    fn: Callable[..., Any],
    inputs: tuple[str, ...],
    type_: str,
    en: str,
    zh: str,
    doc: str,
    *,
    unit: str | None = None,
    handles_missing: bool = False,
    portfolio: bool = False,
) -> Metric:
    """A pack metric with its labels and doc."""
    return Metric(
        name,
        fn,
        inputs,
        type_,
        doc=doc,
        unit=unit,
        label=label(en, zh),
        handles_missing=handles_missing,
        portfolio=portfolio,
    )
