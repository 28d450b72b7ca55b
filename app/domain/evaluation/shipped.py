"""The two rule sets the software ships (EVAL_SPEC "Shipped rule sets"): seed data, editable afterwards.

The annexes of 1841-QĐ/TU and of NĐ 335/2025 are not public; these are the best public knowledge and
the district admin edits them (as new versions once a version has graded a sheet).
``services.evaluation.rules.ensure_rule_sets`` writes them when their family code is missing.
"""
from __future__ import annotations

from decimal import Decimal as D

from app.domain.evaluation.rules import (
    BONUS, DEDUCTION, NORMAL, QUOTA_SHARE_OF_GRADE, QUOTA_SHARE_OF_SHEETS, TASK_MODE_NONE, TASK_MODE_ND335,
    AttendanceCap, Criterion, CriterionGroup, DEFAULT_BANDS, QuotaPolicy, RuleVersion,
)

HN1841 = "hn1841"
ND335 = "nd335"
DEFAULT_FAMILY = HN1841


def _c(code: str, name: str, points: str, order: int, description: str = "") -> Criterion:
    return Criterion(code, name, D(points), order, description)


HANOI_1841 = RuleVersion(
    family_code=HN1841,
    family_name="Hà Nội 1841 (khung 3814)",
    effective_from="2021-12",
    label="Theo Quyết định 1841-QĐ/TU (sửa đổi bởi 3251-QĐ/TU), khung điểm 3814-QĐ/TU",
    groups=(
        CriterionGroup("I", "Ý thức tổ chức kỷ luật, phẩm chất đạo đức, lối sống", NORMAL, D("20"), (
            _c("I.1", "Chấp hành chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước", "5", 1),
            _c("I.2", "Ý thức tổ chức kỷ luật; chấp hành nội quy, quy chế của cơ quan, đơn vị; bảo đảm giờ giấc làm việc", "5", 2),
            _c("I.3", "Phẩm chất đạo đức, lối sống, tác phong, lề lối làm việc", "5", 3),
            _c("I.4", "Tinh thần trách nhiệm, thái độ phục vụ nhân dân; tinh thần đoàn kết, phối hợp trong công tác", "5", 4),
        ), order=1),
        CriterionGroup("II", "Kết quả thực hiện chức trách, nhiệm vụ được giao", NORMAL, D("70"), (
            _c("II.1", "Khối lượng công việc hoàn thành theo chương trình, kế hoạch được giao", "30", 1),
            _c("II.2", "Chất lượng, hiệu quả công việc", "20", 2),
            _c("II.3", "Tiến độ, thời hạn hoàn thành công việc", "20", 3),
        ), order=2),
        CriterionGroup("III", "Điểm thưởng", BONUS, D("10"), (
            _c("III.1", "Có sáng kiến, giải pháp, cách làm mới mang lại hiệu quả trong công tác", "5", 1,
               "Ghi rõ sáng kiến, giải pháp và kết quả đạt được."),
            _c("III.2", "Hoàn thành nhiệm vụ đột xuất, nhiệm vụ khó được cấp có thẩm quyền giao", "5", 2,
               "Ghi rõ nhiệm vụ và người giao."),
            _c("III.3", "Được khen thưởng, biểu dương trong kỳ đánh giá", "5", 3,
               "Ghi rõ hình thức khen thưởng và số quyết định."),
        ), order=3),
        CriterionGroup("IV", "Điểm trừ", DEDUCTION, D("20"), (
            _c("IV.1", "Vi phạm kỷ luật, nội quy, quy chế của cơ quan, đơn vị; để xảy ra sai sót, bị phản ánh, phê bình", "20", 1,
               "Trừ điểm theo mức độ vi phạm; ghi rõ nội dung vi phạm."),
        ), order=4),
    ),
    bands=DEFAULT_BANDS,
    total_cap=D("100"),
    attendance=AttendanceCap(D("50"), "C"),
    quota=QuotaPolicy(QUOTA_SHARE_OF_SHEETS, "A", D("30"), D("40")),
    task_mode=TASK_MODE_NONE,
)

ND_335 = RuleVersion(
    family_code=ND335,
    family_name="NĐ 335/2025",
    effective_from="2026-01",
    label="Theo Nghị định 335/2025/NĐ-CP: 30 điểm tiêu chí chung, 70 điểm kết quả thực hiện nhiệm vụ",
    groups=(
        CriterionGroup("1", "Chính trị, tư tưởng; đạo đức, lối sống", NORMAL, D("10"), (
            _c("1.1", "Chính trị, tư tưởng", "5", 1),
            _c("1.2", "Đạo đức, lối sống", "5", 2),
        ), order=1),
        CriterionGroup("2", "Tác phong, lề lối làm việc; ý thức tổ chức kỷ luật", NORMAL, D("10"), (
            _c("2.1", "Tác phong, lề lối làm việc", "2.5", 1),
            _c("2.2", "Ý thức tổ chức kỷ luật", "2.5", 2),
            _c("2.3", "Tinh thần trách nhiệm", "2.5", 3),
            _c("2.4", "Thái độ phục vụ nhân dân, doanh nghiệp", "2.5", 4),
        ), order=2),
        CriterionGroup("3", "Năng lực và kỹ năng", NORMAL, D("10"), (
            _c("3.1", "Năng lực chuyên môn, nghiệp vụ", "2.5", 1),
            _c("3.2", "Năng lực đổi mới, sáng tạo", "2.5", 2),
            _c("3.3", "Khả năng phối hợp, làm việc nhóm", "2.5", 3),
            _c("3.4", "Tinh thần học tập, nâng cao trình độ", "2.5", 4),
        ), order=3),
        CriterionGroup("4", "Kết quả thực hiện nhiệm vụ", NORMAL, D("70"), (
            _c("4.1", "Kết quả thực hiện nhiệm vụ được giao (số lượng, chất lượng, tiến độ)", "70", 1,
               "Tính từ số lượng, chất lượng, tiến độ các nhiệm vụ đã quy đổi (khi có danh mục sản phẩm)."),
        ), order=4),
    ),
    bands=DEFAULT_BANDS,
    total_cap=D("100"),
    attendance=AttendanceCap(D("50"), "C"),
    quota=QuotaPolicy(QUOTA_SHARE_OF_GRADE, "A", D("20"), None, "B"),
    task_mode=TASK_MODE_ND335,
)

SHIPPED: tuple[RuleVersion, ...] = (HANOI_1841, ND_335)

__all__ = ["HN1841", "ND335", "DEFAULT_FAMILY", "HANOI_1841", "ND_335", "SHIPPED"]
