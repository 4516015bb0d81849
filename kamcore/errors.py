"""The exceptions kamcore raises, and the location every user-facing error carries.

One documented exception type, :class:`KamcoreError`, is the root. Plugins raise
:class:`PluginUsageError` for errors that are the policy author's to fix; kamcore wraps anything
else a plugin raises in :class:`PluginError` naming the plugin and the hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AccountError",
    "ExpressionError",
    "KamcoreError",
    "Location",
    "PluginError",
    "PluginUsageError",
    "PolicyError",
    "Problem",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file, a 1-based line and column, and the policy key path.

    Any part may be unknown (``None`` / empty); :meth:`__str__` prints what is known in the
    compiler style ``file:line:col`` that editors and CI annotate.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    key_path: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int]:
        """Order problems as an editor lists them: by file, line, column."""
        return (self.file or "", self.line or 0, self.column or 0)

    def __str__(self) -> str:
        parts = [self.file or "<policy>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a policy: a plain-language message at a location.

    :param detail: optional extra lines (the expression with a caret, a hint) printed under the
        message.
    """

    message: str
    location: Location = field(default_factory=Location)
    detail: str = ""

    def format(self) -> str:
        """``file:line:col: [key.path] message`` followed by the detail lines."""
        where = str(self.location)
        key = f" [{self.location.key_path}]" if self.location.key_path else ""
        text = f"{where}:{key} {self.message}"
        if self.detail:
            text += "\n" + self.detail
        return text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form for ``--format json`` and for tools."""
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "key_path": self.location.key_path,
            "message": self.message,
            "detail": self.detail,
        }


class KamcoreError(Exception):
    """Base class of every error kamcore raises on purpose."""


class PolicyError(KamcoreError):
    """A policy could not be loaded or compiled. Carries *all* the problems found, not the first.

    :param problems: every problem, each with its file, line and key path.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


class ExpressionError(KamcoreError):
    """An expression is not valid in the dialect.

    :param message: plain-language reason, e.g. ``unknown fact `revnue`; did you mean `revenue`?``
    :param source: the expression text.
    :param column: 0-based column of the offending token within ``source`` (or ``None``).
    :param hint: an extra suggestion line.
    """

    def __init__(
        self, message: str, source: str, column: int | None = None, hint: str = ""
    ) -> None:
        self.message = message
        self.source = source
        self.column = column
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """The message, then the expression with a caret under the column, then the hint."""
        lines = [self.message]
        if self.source:
            lines.append("    " + self.source)
            if self.column is not None:
                lines.append("    " + " " * self.column + "^")
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)

    def caret(self) -> str:
        """Only the expression-and-caret lines (for :attr:`Problem.detail`)."""
        return "\n".join(self.render().splitlines()[1:])


class PluginError(KamcoreError):
    """A plugin failed: it did not import, has a bad hook, or raised inside a hook or function.

    :param plugin: the plugin's name.
    :param hook: the hook (or registered capability) involved.
    """

    def __init__(
        self, plugin: str, hook: str, message: str, *, config_key: str | None = None
    ) -> None:
        self.plugin = plugin
        self.hook = hook
        self.reason = message
        #: the policy key at fault (``config.<plugin>.<key>``) when the plugin named one
        self.config_key = config_key
        super().__init__(f'plugin "{plugin}" failed in {hook}: {message}')


class PluginUsageError(KamcoreError):
    """Raised *by plugins* for a problem the policy author must fix (bad config value, ...).

    kamcore reports it as is, without a traceback, naming the plugin.

    :param key: the key of the plugin's ``[config.<plugin>]`` section at fault
        (``"tiers.strategic"``): the problem is then reported at that key's file and line,
        like any other policy problem.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        self.key = key
        super().__init__(message)


class AccountError(KamcoreError):
    """One account could not be evaluated. The rest of the portfolio still is.

    :param account_id: the account's id (``None`` if the row had none).
    :param where: the field, metric or rule involved (``"inputs.revenue_12m"``,
        ``"tables.tier"``).
    :param reason: plain-language reason.
    """

    def __init__(self, account_id: str | None, where: str, reason: str) -> None:
        self.account_id = account_id
        self.where = where
        self.reason = reason
        super().__init__(f"account {account_id or '<no id>'}: {where}: {reason}")

    def to_dict(self) -> dict[str, object]:
        """The error record placed in a portfolio result."""
        return {"account_id": self.account_id, "where": self.where, "reason": self.reason}
