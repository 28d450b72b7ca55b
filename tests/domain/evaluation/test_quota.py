"""The A-quota: limits (floor of a share), exceptional units, NĐ 335's share of B, the reason to go over."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.domain.errors import Conflict
from app.domain.evaluation.quota import check_quota, quota_status
from app.domain.evaluation.rules import QUOTA_NONE, QUOTA_SHARE_OF_GRADE, QUOTA_SHARE_OF_SHEETS, QuotaPolicy

SHEETS = QuotaPolicy(QUOTA_SHARE_OF_SHEETS, "A", D("30"), D("40"))
OF_B = QuotaPolicy(QUOTA_SHARE_OF_GRADE, "A", D("20"), None, "B")


@pytest.mark.parametrize("policy,counts,total,exceptional,limit", [
    (SHEETS, {}, 10, False, 3),
    (SHEETS, {}, 9, False, 2),  # 2.7 → 2: floor
    (SHEETS, {}, 3, False, 0),  # 0.9 → 0
    (SHEETS, {}, 30, False, 9),
    (SHEETS, {}, 10, True, 4),
    (SHEETS, {}, 9, True, 3),  # 3.6 → 3
    (SHEETS, {}, 0, False, 0),
    (QuotaPolicy(QUOTA_SHARE_OF_SHEETS, "A", D("30")), {}, 10, True, 3),  # no exceptional share: the normal one
    (OF_B, {"B": 10}, 40, False, 2),
    (OF_B, {"B": 4}, 40, False, 0),  # 0.8 → 0
    (OF_B, {"B": 5, "A": 1, "C": 30}, 40, True, 1),  # exceptional plays no part
    (OF_B, {}, 40, False, 0),
    (QuotaPolicy(QUOTA_SHARE_OF_SHEETS, "A", D("33.33")), {}, 3, False, 0),  # 0.9999 → 0, exactly
    (QuotaPolicy(QUOTA_SHARE_OF_SHEETS, "A", D("33.34")), {}, 3, False, 1),
])
def test_limits(policy, counts, total, exceptional, limit):
    assert quota_status(policy, counts, total, exceptional).limit == limit


def test_status_counts_and_message():
    s = quota_status(SHEETS, {"A": 2, "B": 5}, 10)
    assert (s.limit, s.used, s.remaining, s.base, s.full) == (3, 2, 1, 10, False)
    assert s.message == "Đơn vị đã có 2/3 A"
    full = quota_status(SHEETS, {"A": 3}, 10)
    assert full.full and full.remaining == 0
    assert quota_status(QuotaPolicy(QUOTA_NONE), {"A": 7}, 10).message == "Đơn vị đã có 7 A"


@pytest.mark.parametrize("policy,counts,total,grade,reason,over", [
    (SHEETS, {"A": 2}, 10, "A", None, False),
    (SHEETS, {"A": 3}, 10, "A", "Thành tích đột xuất được UBND quận khen thưởng", True),
    (SHEETS, {"A": 3}, 10, "B", None, False),  # only the quota grade counts
    (SHEETS, {"A": 9}, 10, "C", None, False),
    (QuotaPolicy(QUOTA_NONE), {"A": 10}, 10, "A", None, False),
    (OF_B, {"B": 5, "A": 1}, 6, "A", "Có sáng kiến cấp quận", True),
    (OF_B, {"B": 5}, 5, "A", None, False),
])
def test_check_quota(policy, counts, total, grade, reason, over):
    status = quota_status(policy, counts, total)
    assert check_quota(policy, status, grade, reason) is over


@pytest.mark.parametrize("policy,counts,total,fragment", [
    (SHEETS, {"A": 3}, 10, "Đơn vị đã có 3/3 A (tối đa 30 % số phiếu của đơn vị)"),
    (OF_B, {"A": 1, "B": 9}, 10, "Đơn vị đã có 1/1 A (tối đa 20 % số người đạt loại B)"),
    (OF_B, {}, 10, "Đơn vị đã có 0/0 A"),
])
def test_over_the_quota_without_a_reason_is_a_conflict(policy, counts, total, fragment):
    status = quota_status(policy, counts, total)
    for reason in (None, "", "   "):
        with pytest.raises(Conflict) as exc:
            check_quota(policy, status, "A", reason)
        assert exc.value.code == "quota" and exc.value.http_status == 409 and exc.value.field == "quota_reason"
        assert exc.value.message.startswith(fragment) and "cần nêu lý do" in exc.value.message
