"""Transfers: who routes a person's sheet after they move to another unit.

A person keeps the leaders named for them, unless a leader sits in the unit they left (and not in the new
one): such a commenter is dropped, such an evaluator is replaced by the new unit's head (nobody grades
themself, so the head moving in is left without one, for the root's admin to link). Leaders outside both
units (district leadership grading a unit head) are kept. Sheets of open periods that are not finalised
follow the person (unit, department, commenter, evaluator); finalised or past sheets stay where they were
earned.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Leader:
    id: int
    unit_id: Optional[int]


def route_after_move(person_id: int, old_unit_id: Optional[int], new_unit_id: Optional[int],
                     reviewer: Optional[Leader], evaluator: Optional[Leader],
                     new_head_id: Optional[int]) -> tuple[Optional[int], Optional[int]]:
    """(reviewer id, evaluator id) of a person who moved from ``old_unit_id`` to ``new_unit_id``."""

    def left_behind(leader: Optional[Leader]) -> bool:
        return (leader is not None and old_unit_id != new_unit_id and leader.unit_id == old_unit_id
                and leader.unit_id != new_unit_id)

    reviewer_id = None if reviewer is None or left_behind(reviewer) else reviewer.id
    if evaluator is None or left_behind(evaluator):
        evaluator_id = new_head_id
    else:
        evaluator_id = evaluator.id
    if reviewer_id == person_id:
        reviewer_id = None
    if evaluator_id == person_id:
        evaluator_id = None
    return reviewer_id, evaluator_id


def sheet_route(person_id: int, reviewer_id: Optional[int], evaluator_id: Optional[int]) -> tuple[Optional[int], Optional[int]]:
    """(commenter, evaluator) of a sheet from the person's routing, as a period opens: nobody routes to themself."""
    return (None if reviewer_id == person_id else reviewer_id, None if evaluator_id == person_id else evaluator_id)


def merge_problems(source, target) -> list[str]:
    """Why ``source`` cannot be merged into ``target`` (objects with id, kind, name, merged_into_id)."""
    problems = []
    if source is None or target is None:
        return ["Hãy chọn đơn vị cần gộp và đơn vị nhận."]
    if source.kind != "unit" or target.kind != "unit":
        problems.append("Chỉ gộp được đơn vị vào đơn vị.")
    if source.id == target.id:
        problems.append("Không thể gộp một đơn vị vào chính nó.")
    if source.merged_into_id is not None:
        problems.append(f"Đơn vị “{source.name}” đã được gộp trước đó.")
    if target.merged_into_id is not None:
        problems.append(f"Đơn vị “{target.name}” đã được gộp vào đơn vị khác; hãy chọn đơn vị đang hoạt động.")
    return problems
