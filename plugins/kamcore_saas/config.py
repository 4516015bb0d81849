"""The ``[config.kamcore_saas]`` policy section: its JSON Schema and its typed reading.

Subscription businesses differ in a handful of numbers (how early a renewal is worked, what ARR
makes an account strategic, how heavily a P1 ticket weighs), not in the shape of the model. Those
numbers live here, so a client policy changes them in one table instead of rewriting the pack's
expressions. kamcore validates the section against :data:`CONFIG_SCHEMA` before any hook runs (a
typo is reported with its file and line); :meth:`SaasConfig.from_mapping` then checks what a
schema cannot say (thresholds in the right order) and raises :class:`kamcore.PluginUsageError`
with the ``key`` at fault, which kamcore reports at that key's file and line too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kamcore import PluginUsageError

__all__ = ["CONFIG_SCHEMA", "PRIORITIES", "TIERS", "SaasConfig"]

#: Tier labels of :func:`kamcore_saas.classify.saas_tier`, best first.
TIERS: tuple[str, ...] = ("strategic", "enterprise", "growth", "scaled")
#: Support ticket priorities of the core ``support_tickets`` stream, most urgent first.
PRIORITIES: tuple[str, ...] = ("p1", "p2", "p3", "p4")

_MONEY = {"type": "number", "minimum": 0}
_WEIGHT = {"type": "number", "minimum": 0}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "kamcore_saas configuration",
    "description": "Parameters of the B2B SaaS pack (renewal window, tiers, stage thresholds).",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "renewal_window_days": {
            "type": "integer",
            "minimum": 1,
            "description": "Days before the renewal date at which the renewal window opens.",
        },
        "renewal_grace_days": {
            "type": "integer",
            "minimum": 0,
            "description": "Days after an unsigned renewal date before the renewal counts as "
            "lapsed.",
        },
        "tiers": {
            "type": "object",
            "additionalProperties": False,
            "description": "Lowest current ARR of each tier (below `growth`: scaled).",
            "properties": {"strategic": _MONEY, "enterprise": _MONEY, "growth": _MONEY},
        },
        "key_account": {
            "type": "object",
            "additionalProperties": False,
            "description": "Key-account identification thresholds.",
            "properties": {"min_arr": _MONEY, "min_potential_arr": _MONEY},
        },
        "usage_metric": {
            "type": "string",
            "minLength": 1,
            "description": "The `metric` of the usage stream items the usage trend reads.",
        },
        "usage_period_days": {
            "type": "integer",
            "minimum": 1,
            "description": "Length of the usage periods compared by the usage trend.",
        },
        "ticket_weights": {
            "type": "object",
            "additionalProperties": False,
            "description": "Weight of an open ticket of each priority in the support load.",
            "properties": dict.fromkeys(PRIORITIES, _WEIGHT),
        },
        "onboarding_days": {
            "type": "integer",
            "minimum": 0,
            "description": "Tenure after which an account without a go-live date is taken as live.",
        },
        "adoption_target": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Licence utilisation that marks value realisation.",
        },
        "adoption_floor": {
            "type": "number",
            "minimum": 0,
            "description": "Licence utilisation below which an account falls back to adoption.",
        },
        "expansion_nrr": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "NRR that marks expansion.",
        },
        "expansion_exit_nrr": {
            "type": "number",
            "minimum": 0,
            "description": "NRR below which an account leaves expansion/advocacy.",
        },
    },
}


@dataclass(frozen=True)
class SaasConfig:
    """The pack's parameters, with the defaults a policy does not need to state.

    :param renewal_window_days: the renewal window opens this many days before the renewal
        date; 90 days is the usual lead time for a one-year B2B contract.
    :param renewal_grace_days: an unsigned renewal whose date passed more than this many days ago
        has lapsed. 0: the day after the renewal date.
    :param tiers: lowest current ARR of ``strategic``, ``enterprise`` and ``growth``.
    :param key_account_arr: current ARR from which an account is a key account.
    :param key_account_potential: three-year potential ARR from which an account that is not
        yet key is one to develop.
    :param usage_metric: which ``usage`` stream items (by their ``metric``) the trend reads.
    :param usage_period_days: the trend compares the last period with the one before it.
    :param ticket_weights: weight of an open ticket per priority in the support load.
    :param onboarding_days: tenure after which an account without a go-live date counts as live.
    :param adoption_target: utilisation that moves adoption to value realisation.
    :param adoption_floor: utilisation below which value realisation falls back to adoption;
        lower than the target, so an account hovering at the target does not flap.
    :param expansion_nrr: NRR that marks expansion.
    :param expansion_exit_nrr: NRR below which expansion/advocacy is left (hysteresis again).
    """

    renewal_window_days: int = 90
    renewal_grace_days: int = 0
    tiers: Mapping[str, float] = field(
        default_factory=lambda: {"strategic": 1_000_000, "enterprise": 250_000, "growth": 50_000}
    )
    key_account_arr: float = 250_000
    key_account_potential: float = 500_000
    usage_metric: str = "weekly_active_users"
    usage_period_days: int = 28
    ticket_weights: Mapping[str, float] = field(
        default_factory=lambda: {"p1": 5, "p2": 3, "p3": 1, "p4": 1}
    )
    onboarding_days: int = 90
    adoption_target: float = 0.7
    adoption_floor: float = 0.5
    expansion_nrr: float = 1.1
    expansion_exit_nrr: float = 1.0

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> SaasConfig:
        """Read a validated ``[config.kamcore_saas]`` table, filling in defaults.

        :raises PluginUsageError: thresholds out of order (a strategic threshold below the
            enterprise one, an adoption floor above the target, ...), which the schema cannot
            express; ``key`` names the threshold at fault (see :meth:`check`).
        """
        base = cls()
        tiers = {**base.tiers, **dict(config.get("tiers", {}))}
        key = dict(config.get("key_account", {}))
        weights = {**base.ticket_weights, **dict(config.get("ticket_weights", {}))}
        made = cls(
            renewal_window_days=int(config.get("renewal_window_days", base.renewal_window_days)),
            renewal_grace_days=int(config.get("renewal_grace_days", base.renewal_grace_days)),
            tiers=tiers,
            key_account_arr=key.get("min_arr", base.key_account_arr),
            key_account_potential=key.get("min_potential_arr", base.key_account_potential),
            usage_metric=str(config.get("usage_metric", base.usage_metric)),
            usage_period_days=int(config.get("usage_period_days", base.usage_period_days)),
            ticket_weights=weights,
            onboarding_days=int(config.get("onboarding_days", base.onboarding_days)),
            adoption_target=config.get("adoption_target", base.adoption_target),
            adoption_floor=config.get("adoption_floor", base.adoption_floor),
            expansion_nrr=config.get("expansion_nrr", base.expansion_nrr),
            expansion_exit_nrr=config.get("expansion_exit_nrr", base.expansion_exit_nrr),
        )
        made.check()
        return made

    def check(self) -> None:
        """Refuse thresholds whose order makes the tiers or the stage hysteresis meaningless.

        Each refusal names the key at fault (``key=``), so kamcore reports it at that key's file
        and line in the policy. Of the two values compared, the one changed from its default is
        blamed: a client policy that raises ``growth`` above ``enterprise`` is told about the
        ``growth`` it wrote, not about the base's ``enterprise`` it inherited. When both or
        neither differ from their defaults, the first (higher) key is blamed.

        :raises PluginUsageError: with ``key`` the dotted path within ``[config.kamcore_saas]``.
        """
        defaults = SaasConfig()
        tiers = self.tiers
        for upper, lower in (("strategic", "enterprise"), ("enterprise", "growth")):
            if not tiers[upper] > tiers[lower]:
                blamed = _blame(
                    (upper, tiers[upper], defaults.tiers[upper]),
                    (lower, tiers[lower], defaults.tiers[lower]),
                )
                raise PluginUsageError(
                    "tiers must satisfy strategic > enterprise > growth; got "
                    f"strategic = {tiers['strategic']}, enterprise = {tiers['enterprise']}, "
                    f"growth = {tiers['growth']}",
                    key=f"tiers.{blamed}",
                )
        if self.adoption_floor >= self.adoption_target:
            raise PluginUsageError(
                "adoption_floor must be below adoption_target (the gap keeps the stage from "
                f"flapping); got {self.adoption_floor} >= {self.adoption_target}",
                key=_blame(
                    ("adoption_floor", self.adoption_floor, defaults.adoption_floor),
                    ("adoption_target", self.adoption_target, defaults.adoption_target),
                ),
            )
        if self.expansion_exit_nrr >= self.expansion_nrr:
            raise PluginUsageError(
                "expansion_exit_nrr must be below expansion_nrr; got "
                f"{self.expansion_exit_nrr} >= {self.expansion_nrr}",
                key=_blame(
                    ("expansion_exit_nrr", self.expansion_exit_nrr, defaults.expansion_exit_nrr),
                    ("expansion_nrr", self.expansion_nrr, defaults.expansion_nrr),
                ),
            )


def _blame(first: tuple[str, float, float], second: tuple[str, float, float]) -> str:
    """Which of two ``(key, value, default)`` thresholds out of order to report: the second
    when only it differs from its default, else the first."""
    first_key, first_value, first_default = first
    second_key, second_value, second_default = second
    if first_value == first_default and second_value != second_default:
        return second_key
    return first_key
