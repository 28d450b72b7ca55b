"""Rule-set versions: the shipped ones are consistent, and ``problems()`` catches unusable edits."""
from __future__ import annotations

import dataclasses
from decimal import Decimal as D

import pytest

from app.domain.evaluation.rules import (
    BONUS, NORMAL, QUOTA_SHARE_OF_GRADE, QUOTA_SHARE_OF_SHEETS, TASK_MODE_ND335, AttendanceCap, Criterion,
    CriterionGroup, GradeBand, QuotaPolicy, RuleVersion,
)
from app.domain.evaluation.shipped import DEFAULT_FAMILY, HANOI_1841, HN1841, ND335, ND_335, SHIPPED


@pytest.mark.parametrize("version", SHIPPED, ids=lambda v: v.family_code)
def test_shipped_versions_are_usable(version):
    assert version.problems() == []
    assert version.max_reachable == D("100")
    assert version.grade_codes == ("A", "B", "C", "D")
    assert [b.min_points for b in version.bands] == [D("90"), D("70"), D("50"), D("0")]
    assert version.attendance == AttendanceCap(D("50"), "C")
    for c in version.criteria:
        assert c.name[0].isupper() and c.name == c.name.strip()


def test_hanoi_1841_is_20_70_10_with_a_deduction():
    v = HANOI_1841
    assert DEFAULT_FAMILY == HN1841 == v.family_code and v.family_name == "Hà Nội 1841 (khung 3814)"
    assert v.effective_from == "2021-12"
    assert [(g.kind, g.max_points, g.criteria_max) for g in v.groups] == [
        (NORMAL, D("20"), D("20")), (NORMAL, D("70"), D("70")), (BONUS, D("10"), D("15")), ("deduction", D("20"), D("20")),
    ]
    assert v.quota == QuotaPolicy(QUOTA_SHARE_OF_SHEETS, "A", D("30"), D("40"))


def test_nd335_is_three_groups_of_ten_plus_seventy():
    v = ND_335
    assert v.family_code == ND335 and v.family_name == "NĐ 335/2025" and v.effective_from == "2026-01"
    assert [[c.max_points for c in g.criteria] for g in v.groups] == [
        [D("5")] * 2, [D("2.5")] * 4, [D("2.5")] * 4, [D("70")],
    ]
    assert v.task_mode == TASK_MODE_ND335
    assert v.quota == QuotaPolicy(QUOTA_SHARE_OF_GRADE, "A", D("20"), None, "B")


def test_criteria_inherit_their_group_kind_and_are_ordered():
    g = CriterionGroup("III", "Thưởng", BONUS, D("10"), (Criterion("b", "Sau", D("5"), order=2), Criterion("a", "Trước", D("5"), order=1)))
    assert [c.code for c in g.criteria] == ["a", "b"]
    assert {c.kind for c in g.criteria} == {BONUS} and {c.group_code for c in g.criteria} == {"III"}
    assert g.criteria[0].needs_note


def test_rank_and_lower_of():
    v = HANOI_1841
    assert v.rank("A") == 0 and v.rank("D") == 3
    assert v.lower_of("A", "C") == "C" == v.lower_of("C", "A")
    assert v.failing_grade == "D" and v.grade_label("B") == "Hoàn thành tốt nhiệm vụ"
    with pytest.raises(KeyError):
        v.rank("E")


def _replace(**changes) -> RuleVersion:
    return dataclasses.replace(HANOI_1841, **changes)


@pytest.mark.parametrize("version,fragment", [
    (_replace(effective_from="2021-13"), "Tháng áp dụng"),
    (_replace(bands=(GradeBand("A", "X", D("90")), GradeBand("A", "Y", D("0")))), "Mã các mức xếp loại"),
    (_replace(bands=(GradeBand("A", "X", D("90")), GradeBand("B", "Y", D("50")))), "bắt đầu từ 0 điểm"),
    (_replace(bands=(GradeBand("A", "X", D("101")), GradeBand("D", "Y", D("0")))), "không thể đạt"),
    (_replace(attendance=AttendanceCap(D("50"), "E")), "thiếu ngày công"),
    (_replace(attendance=AttendanceCap(D("150"), "C")), "Tỉ lệ ngày công"),
    (_replace(quota=QuotaPolicy(QUOTA_SHARE_OF_GRADE, "A", D("20"))), "phải nêu mức đó"),
    (_replace(quota=QuotaPolicy(QUOTA_SHARE_OF_SHEETS, "A", None)), "Chưa đặt tỉ lệ"),
    (_replace(quota=QuotaPolicy("lottery", "A", D("1"))), "chỉ tiêu"),
    (_replace(task_mode="magic"), "Cách tính điểm nhiệm vụ"),
    (_replace(fail_grade="F"), "không hoàn thành nhiệm vụ"),
    (_replace(groups=HANOI_1841.groups + (CriterionGroup("V", "Trống", NORMAL, D("5")),)), "chưa có tiêu chí"),
    (_replace(groups=(CriterionGroup("I", "Nhóm", NORMAL, D("100"), (Criterion("a", "A", D("60")),)),)), "nhỏ hơn điểm tối đa của nhóm"),
    (_replace(groups=HANOI_1841.groups + (HANOI_1841.groups[0],)), "Mã các nhóm"),
])
def test_problems_catch_an_unusable_version(version, fragment):
    problems = version.problems()
    assert any(fragment in p for p in problems), problems
