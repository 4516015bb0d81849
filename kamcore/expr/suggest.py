"""Did-you-mean suggestions and the wording for words borrowed from other languages.

Authors arrive from SQL, Excel, JavaScript and FEEL. Their habits (``AND``, ``&&``, ``<>``,
``true``, ``null``) are mistakes with one obvious fix, so the message names the fix instead of
saying "invalid syntax".
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable

__all__ = ["did_you_mean", "literal_word_message", "not_a_choice_message", "unknown_message"]

#: Words of other languages that stand for a Python literal.
_LITERAL_WORDS = {"true": "True", "false": "False", "null": "None", "none": "None", "nil": "None"}


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, if one is close enough to be a plausible typo.

    A candidate that differs only in capitals (``"Na"`` for ``"NA"``, ``"ICT"`` for ``"ict"``)
    is the likeliest typo of all, and one the spelling distance misses on short words, so it
    wins first.
    """
    ordered = sorted(set(candidates))
    folded = word.casefold()
    for candidate in ordered:
        if candidate.casefold() == folded and candidate != word:
            return candidate
    matches = difflib.get_close_matches(word, ordered, n=1, cutoff=0.7)
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


def _text(value: str) -> str:
    """A text value as the author writes it in TOML and in cells: double quotes, escaped."""
    return json.dumps(value, ensure_ascii=False)


def not_a_choice_message(value: str, subject: str, choices: Iterable[str]) -> str:
    """``"retial"`` is not one of the values of ``industry`` (...); did you mean ``"retail"``?

    The values are listed sorted: they are declared as a set, and a message must read the same
    on every run. The literal is shown in the values' quoting so the suggestion can be pasted.
    """
    ordered = sorted(set(choices))
    listed = ", ".join(_text(choice) for choice in ordered)
    message = f"`{_text(value)}` is not one of the values of `{subject}` ({listed})"
    guess = did_you_mean(value, ordered)
    return message if guess is None else f"{message}; did you mean `{_text(guess)}`?"
