"""The stage model ``saas.customer_journey``: onboarding -> adoption -> value realisation ->
renewal -> expansion/advocacy.

Customer-success teams run a subscription account through these stages, each with its own
playbook: get it live, get the licences used, prove the value, win the renewal, grow it and turn
it into a reference. The guards read only the pack's metrics, with the configured thresholds
written into the expressions when the engine is built, so an evaluation's explanation shows the
exact condition that moved the account.

Design choices:

* **The renewal window pre-empts the rest.** Whatever stage an account is in, a renewal due
  within the window (or overdue) and not yet signed moves it to ``renewal``: that is where the
  attention must go. It is the first transition out of every stage.
* **Leaving renewal says how it went.** Renewed (signed, or the renewal date has moved past the
  window) and expanding -> ``expansion_advocacy``; renewed with low utilisation -> back to
  ``adoption``; otherwise -> ``value_realisation``. An unsigned renewal whose date passed stays
  in ``renewal`` (the base policy raises the lapsed-renewal alert).
* **Hysteresis.** Value realisation is entered at ``adoption_target`` utilisation but left only
  below ``adoption_floor``; expansion is entered at ``expansion_nrr`` and left only below
  ``expansion_exit_nrr``. The slow-moving guards must hold on two evaluations in a row, and an
  account stays in expansion/advocacy at least 90 days before fading back.
* **Evidence moves accounts.** A missing utilisation neither proves value nor proves a slip; a
  missing NRR never proves expansion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kamcore import StageModel

from .config import SaasConfig
from .facts import label

__all__ = ["STAGES", "USAGE_FLOOR", "stage_model"]

STAGES: tuple[str, ...] = (
    "onboarding",
    "adoption",
    "value_realisation",
    "renewal",
    "expansion_advocacy",
)
#: Usage trend at or below which adoption is not proven (the base policy's usage-drop alert).
USAGE_FLOOR = -0.2
#: Minimum days in expansion/advocacy before the account can fade back to value realisation.
EXPANSION_MIN_DAYS = 90

_NOT_RENEWAL = [s for s in STAGES if s != "renewal"]
_RENEWED = "(coalesce(saas.renewal_signed, False) or not coalesce(saas.in_renewal_window, True))"


def _transitions(c: SaasConfig) -> tuple[Mapping[str, Any], ...]:
    expanding = (
        f"(coalesce(saas.nrr, 0) >= {c.expansion_nrr!r} or coalesce(saas.reference_account, False))"
    )
    low_use = (
        "(saas.licence_utilisation is not None and "
        f"saas.licence_utilisation < {c.adoption_floor!r})"
    )
    return (
        {
            "id": "enter-renewal",
            "from": _NOT_RENEWAL,
            "to": "renewal",
            "when": "coalesce(saas.in_renewal_window, False) and "
            "not coalesce(saas.renewal_signed, False)",
            "label": label("Renewal window opens", "进入续约窗口"),
        },
        {
            "id": "renewed-expanding",
            "from": ["renewal"],
            "to": "expansion_advocacy",
            "when": f"{_RENEWED} and {expanding}",
            "label": label("Renewed and expanding", "续约并扩展"),
        },
        {
            "id": "renewed-low-adoption",
            "from": ["renewal"],
            "to": "adoption",
            "when": f"{_RENEWED} and {low_use}",
            "label": label("Renewed with low adoption", "续约但使用率低"),
        },
        {
            "id": "renewed",
            "from": ["renewal"],
            "to": "value_realisation",
            "when": _RENEWED,
            "label": label("Renewed", "已续约"),
        },
        {
            "id": "go-live",
            "from": ["onboarding"],
            "to": "adoption",
            "when": "coalesce(saas.live, False)",
            "label": label("Went live", "已上线"),
        },
        {
            "id": "value-realised",
            "from": ["adoption"],
            "to": "value_realisation",
            "when": f"coalesce(saas.licence_utilisation, 0) >= {c.adoption_target!r} and "
            f"coalesce(saas.usage_trend, 0) > {USAGE_FLOOR!r}",
            "consecutive": 2,
            "label": label("Value realised", "实现价值"),
        },
        {
            "id": "adoption-slipped",
            "from": ["value_realisation"],
            "to": "adoption",
            "when": low_use,
            "consecutive": 2,
            "label": label("Adoption slipped", "使用率下滑"),
        },
        {
            "id": "expanding",
            "from": ["value_realisation"],
            "to": "expansion_advocacy",
            "when": expanding,
            "label": label("Expanding or advocating", "扩展或推荐"),
        },
        {
            "id": "expansion-faded",
            "from": ["expansion_advocacy"],
            "to": "value_realisation",
            "when": f"coalesce(saas.nrr, 0) < {c.expansion_exit_nrr!r} and "
            "not coalesce(saas.reference_account, False)",
            "consecutive": 2,
            "min_days": EXPANSION_MIN_DAYS,
            "label": label("Expansion faded", "扩展减弱"),
        },
    )


def stage_model(config: SaasConfig) -> StageModel:
    """``saas.customer_journey`` with the configured thresholds written into its guards."""
    return StageModel(
        name="saas.customer_journey",
        stages=STAGES,
        initial="onboarding",
        transitions=_transitions(config),
        doc="B2B subscription journey: onboarding, adoption, value realisation, renewal, "
        "expansion/advocacy.",
        label={
            "onboarding": label("Onboarding", "实施上线期"),
            "adoption": label("Adoption", "使用推广期"),
            "value_realisation": label("Value realisation", "价值实现期"),
            "renewal": label("Renewal", "续约期"),
            "expansion_advocacy": label("Expansion / advocacy", "扩展与推荐期"),
        },
    )
