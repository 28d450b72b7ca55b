"""The sheets an actor may see, as one SQL clause: ``domain.evaluation.access.can_see`` for lists.

Every term is an indexed equality on ``sheet`` (person, commenter, evaluator, unit), so a list filtered
by period and unit stays on the indexes.
"""
from __future__ import annotations

from sqlalchemy import false, or_, select, true

from app.domain.evaluation.access import UNIT_SHEET_READERS
from app.domain.scope import LEVEL_BLOCK, LEVEL_DISTRICT, LEVEL_UNIT, Actor
from app.models import OrgUnit, Sheet


def sheet_clause(actor: Actor, sheet=Sheet):
    """Rows of ``sheet`` (the mapped class or an alias) the actor may see."""
    level = actor.manage_level
    if level == LEVEL_DISTRICT:
        return true()
    terms = []
    if actor.id is not None:
        terms += [sheet.person_id == actor.id, sheet.commenter_id == actor.id, sheet.evaluator_id == actor.id]
    if level == LEVEL_BLOCK:
        terms.append(sheet.unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.block_id == actor.scope_block_id)))
    own_unit = (level == LEVEL_UNIT or bool(actor.roles & UNIT_SHEET_READERS)) and actor.unit_id is not None
    if own_unit:
        terms.append(sheet.unit_id == actor.unit_id)
    return or_(*terms) if terms else false()


__all__ = ["sheet_clause"]
