"""The ledger's records and states, apart from the queries that read and write them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from collabsync.lazy import lazy_exports

if TYPE_CHECKING:  # a plan's and the journal's records, imported where used: a tracked read builds none (issue 17)
    from collabsync.ledger_objects import LinkRecord as LinkRecord
    from collabsync.ledger_objects import ObjectRecord as ObjectRecord
    from collabsync.ledger_plan import PlanOutline, StoredPlan
    from collabsync.model_specs import ProjectSpec
    from collabsync.plan_columns import ReportPlan

__all__ = ["ObjectState", "InstanceState", "InstanceRecord", "ObjectRecord", "LinkRecord"]


__getattr__ = lazy_exports(__name__, dict.fromkeys(("ObjectRecord", "LinkRecord"), "collabsync.ledger_objects"))


class ObjectState(enum.StrEnum):
    """Where one journaled write stands (objects, links, sub-writes, publications); stored as these strings."""

    PENDING = "pending"  # about to be written: the outcome is unknown until the tool answers
    DONE = "done"
    FAILED = "failed"


class InstanceState(enum.StrEnum):
    """Where an instance stands in its life; stored as these strings."""

    STAMPING = "stamping"
    STAMPED = "stamped"
    TRACKED = "tracked"
    ARCHIVING = "archiving"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class InstanceRecord:
    """A stamped (or tracked) instance; `plan` is the parsed plan, or on read paths a StoredPlan parsed on use."""

    name: str
    template: str | None
    source: str | None
    variables: dict[str, Any]
    plan: ProjectSpec | StoredPlan | None
    state: InstanceState
    created_at: str
    updated_at: str

    @cached_property
    def spec(self) -> ProjectSpec | None:
        """The plan the instance was stamped from (None for tracked-only instances)."""
        if self.plan is None:
            return None
        from collabsync.ledger_plan import StoredPlan

        return self.plan.load() if isinstance(self.plan, StoredPlan) else self.plan

    @cached_property
    def report_plan(self) -> ReportPlan | None:
        """What the report reads of the plan: on read paths its stored columns, without parsing the whole plan."""
        if self.plan is None:
            return None
        from collabsync.ledger_plan import StoredPlan

        return self.plan.report_plan() if isinstance(self.plan, StoredPlan) else self.plan

    @cached_property
    def outline(self) -> PlanOutline | None:
        """The departments and task keys of the plan, without parsing it when the ledger has them apart."""
        if self.plan is None:
            return None
        from collabsync.ledger_plan import PlanOutline, StoredPlan

        if isinstance(self.plan, StoredPlan):
            return self.plan.outline
        return PlanOutline.of_spec(self.plan)
