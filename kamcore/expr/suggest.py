"""Did-you-mean suggestions and the wording for words borrowed from other languages.

Authors arrive from SQL, Excel, JavaScript and FEEL. Their habits (``AND``, ``&&``, ``<>``,
``true``, ``null``) are mistakes with one obvious fix, so the message names the fix instead of
saying "invalid syntax".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "literal_word_message", "unknown_message"]

#: Words of other languages that stand for a Python literal.
_LITERAL_WORDS = {"true": "True", "false": "False", "null": "None", "none": "None", "nil": "None"}


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, if one is close enough to be a plausible typo."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.7)
    return matches[0] if matches else None


def unknown_message(kind: str, word: str, candidates: Iterable[str]) -> str:
    """``unknown fact `revnue`; did you mean `revenue`?`` (the suggestion only when close)."""
    guess = did_you_mean(word, candidates)
    if guess is None:
        return f"unknown {kind} `{word}`"
    return f"unknown {kind} `{word}`; did you mean `{guess}`?"


def literal_word_message(word: str) -> str | None:
    """``use `True` instead of `true``` for ``true``/``false``/``null``/``none``/``nil``."""
    replacement = _LITERAL_WORDS.get(word.lower())
    if replacement is None or word == replacement:
        return None
    return f"use `{replacement}` instead of `{word}`"
