"""Hướng dẫn sử dụng: one guide per kind of user, step by step, as data both sides read.

Each step names the screen it happens on (``screen``: what the menu or the page calls it) and may show a
screenshot (``shot``). The browser tests (branch proof) take the screenshots of the real screens with
Playwright and save them as ``app/static/guides/<shot>.png``: ``GUIDE_SHOTS`` is the list of names they
produce. A page shows a picture when its file exists, and the step's text always.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

SHOTS_DIR = Path(__file__).resolve().parent / "static" / "guides"


@dataclass(frozen=True)
class Step:
    screen: str  # the screen, as the menu or the page names it
    text: str  # what to do, in Vietnamese
    shot: Optional[str] = None  # app/static/guides/<shot>.png, taken by the browser tests
    url: Optional[str] = None  # where the screen is (for the browser tests and a link)


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    audience: str  # who reads it
    intro: str
    steps: tuple[Step, ...]


SIGN_IN = Step("Đăng nhập", "Mở địa chỉ của phần mềm, nhập tên đăng nhập (ví dụ nguyenvanan_badinh) và mật khẩu được "
               "cấp, bấm “Đăng nhập”. Nhập sai nhiều lần liên tiếp, tài khoản bị khóa: khi đó liên hệ quản trị đơn vị.",
               "dang_nhap", "/login/")
CHANGE_PASSWORD = Step("Đổi mật khẩu", "Lần đầu đăng nhập, phần mềm yêu cầu đổi mật khẩu: nhập mật khẩu được cấp, rồi "
                       "mật khẩu mới hai lần. Dòng nhắc ở đầu trang cho biết hạn đổi (5 ngày kể từ khi được cấp); quá hạn "
                       "tài khoản tự động bị khóa.", "doi_mat_khau", "/account/password")

GUIDES: tuple[Guide, ...] = (
    Guide("quan-tri-don-vi", "Hướng dẫn dành cho quản trị đơn vị", "Quản trị đơn vị",
          "Quản trị đơn vị lập danh sách cán bộ của đơn vị, tạo tài khoản, cấp lại mật khẩu khi có người quên hoặc bị khóa.",
          (
              SIGN_IN, CHANGE_PASSWORD,
              Step("Nhập Mẫu 01", "Vào menu Tổ chức → Nhập Mẫu 01, bấm “Tải Mẫu 01 trống”. Điền mỗi người một dòng: họ và tên, "
                   "chức vụ, số điện thoại, đơn vị hoặc phòng, ban, vai trò (chọn trong danh sách thả xuống), cột “Là quản "
                   "trị đơn vị”, lãnh đạo nhận xét và lãnh đạo đánh giá. Trang “Hướng dẫn” trong tệp giải thích từng cột.",
                   "mau01_tai_mau", "/mau01/"),
              Step("Nhập Mẫu 01", "Chọn tệp đã điền, bấm “Tải lên và xem trước”. Phần mềm kiểm tra từng dòng, chưa ghi gì. "
                   "Nếu có lỗi, tải tệp kèm cột “Lỗi cần sửa”, sửa trong Excel rồi tải lên lại.", "mau01_xem_truoc", "/mau01/"),
              Step("Xem trước Mẫu 01", "Khi không còn lỗi, bấm “Xác nhận nhập”: các tài khoản được tạo. Tải ngay bảng tài khoản "
                   "và mật khẩu dùng một lần để phát cho từng người (bảng chỉ tải được một lần).", "mau01_xac_nhan"),
              Step("Nhập Mẫu 01", "Khi có thay đổi (người mới, chuyển phòng, đổi lãnh đạo đánh giá): ở mục “Danh sách cán bộ hiện "
                   "có”, tải danh sách của đơn vị, sửa đúng các ô cần sửa, tải lên lại. Chỉ các ô đã sửa được cập nhật.",
                   "mau01_danh_sach_hien_co", "/mau01/"),
              Step("Cán bộ, công chức", "Vào menu Tổ chức → Cán bộ, công chức để tìm một người (gõ tên không dấu cũng được), "
                   "sửa thông tin, hoặc dùng “Cấp lại mật khẩu” cho người quên mật khẩu hoặc bị khóa: mật khẩu mới hiện một "
                   "lần trên màn hình, người đó phải đổi trong 5 ngày.", "can_bo_danh_sach", "/staff/list/"),
              Step("Danh mục sản phẩm", "Menu Công việc → Danh mục sản phẩm: các loại sản phẩm của đơn vị (báo cáo, tờ trình, hồ "
                   "sơ…) và hệ số quy đổi ra sản phẩm chuẩn (ví dụ 1 báo cáo = 2 sản phẩm chuẩn), định mức theo vị trí nếu có. "
                   "Có thể nhập cả danh mục từ Excel. Mọi người chọn loại sản phẩm ở đây khi đăng ký nhiệm vụ.",
                   "danh_muc_san_pham", "/task-catalogue/"),
              Step("Phòng, ban", "Vào menu Tổ chức → Phòng, ban để thêm các phòng, ban, tổ của đơn vị trước khi xếp người vào.",
                   "phong_ban", "/departments/list/"),
              Step("Nhật ký hệ thống", "Menu Bảo mật → Nhật ký hệ thống cho biết ai đã làm gì trong đơn vị (tạo, sửa tài khoản, "
                   "cấp lại mật khẩu, đăng nhập sai); có thể xuất Excel.", "nhat_ky", "/audit/list/"),
          )),
    Guide("can-bo", "Hướng dẫn dành cho cán bộ, công chức, viên chức", "Cán bộ, công chức, viên chức, người lao động",
          "Mỗi tháng, mỗi người tự chấm điểm theo các tiêu chí rồi gửi phiếu cho lãnh đạo.",
          (
              SIGN_IN, CHANGE_PASSWORD,
              Step("Trang chủ – Việc cần làm", "Sau khi đăng nhập, trang chủ và dòng nhắc ở đầu trang cho biết phiếu tự đánh "
                   "giá của tháng và hạn tự đánh giá (ngày/tháng/năm). Bấm vào phiếu để mở.", "viec_can_lam", "/"),
              Step("Kế hoạch của tôi", "Đầu kỳ, vào menu Công việc → Kế hoạch của tôi, đăng ký từng nhiệm vụ: tên, sản phẩm dự "
                   "kiến, loại sản phẩm, số lượng, thời hạn (ngày/tháng/năm), nguồn giao. Bấm “Gửi kế hoạch để phê duyệt”. Trong "
                   "kỳ, cập nhật tiến độ và đính kèm minh chứng; việc chưa xong được chuyển sang kỳ sau kèm lý do. Điểm nhiệm vụ "
                   "tạm tính (NĐ 335) hiện ở cuối trang, từng nhiệm vụ một.", "ke_hoach", "/tasks/"),
              Step("Phiếu đánh giá", "Chấm điểm từng tiêu chí, ghi giải trình ở điểm thưởng nếu có, ghi số ngày làm việc thực "
                   "tế trong tháng. Bấm “Lưu” để lưu nháp, làm tiếp lúc khác được.", "phieu_tu_danh_gia"),
              Step("Phiếu đánh giá", "Khi xong, bấm “Gửi phiếu”. Chưa ai mở phiếu thì còn “Thu hồi” để sửa. Quá hạn tự đánh giá, "
                   "phiếu tự chuyển cho lãnh đạo và ghi “không tự đánh giá”.", "phieu_gui"),
              Step("Lịch sử đánh giá", "Xem kết quả xếp loại các tháng trước ở mục lịch sử của mình. Kỳ “Vận hành thử” chạy đủ "
                   "quy trình để làm quen nhưng không được tính vào tổng hợp.", "lich_su", "/"),
          )),
    Guide("lanh-dao", "Hướng dẫn dành cho lãnh đạo đơn vị và trưởng, phó phòng, ban", "Lãnh đạo cơ quan, đơn vị; trưởng, phó phòng, ban",
          "Lãnh đạo cũng tự đánh giá như mọi người; ngoài ra nhận xét (cấp phó, trưởng phòng) hoặc đánh giá, xếp loại "
          "(người đứng đầu) phiếu của những người mình phụ trách.",
          (
              SIGN_IN,
              Step("Trang chủ – Việc cần làm", "Dòng nhắc ở đầu trang cho biết số phiếu chờ bạn nhận xét và số phiếu chờ bạn "
                   "đánh giá, xếp loại. Danh sách “Việc cần làm” liệt kê từng phiếu với hạn của bước.", "viec_can_lam_lanh_dao", "/"),
              Step("Kế hoạch chờ phê duyệt", "Menu Công việc → Kế hoạch chờ phê duyệt: mở kế hoạch của từng người, phê duyệt "
                   "hoặc trả lại kèm lý do. Thay đổi sau khi phê duyệt được ghi lại (ai, lúc nào, thay đổi gì). Người đánh giá "
                   "chấm chất lượng từng nhiệm vụ, xác nhận nguyên nhân khách quan nếu có.", "duyet_ke_hoach", "/tasks/approvals"),
              Step("Theo dõi nhiệm vụ", "Menu Công việc → Theo dõi nhiệm vụ: các nhiệm vụ quá hạn, sắp đến hạn hoặc lâu không cập "
                   "nhật của những người mình phụ trách, lọc theo người và loại, có số đếm.", "theo_doi_nhiem_vu",
                   "/tasks/followup"),
              Step("Phiếu đánh giá", "Người nhận xét: đọc phần tự đánh giá, ghi nhận xét, bấm “Nhận xét” để chuyển cho người đánh "
                   "giá, hoặc “Trả lại” kèm lý do để người đó sửa.", "phieu_nhan_xet"),
              Step("Phiếu đánh giá", "Người đánh giá: chấm điểm từng tiêu chí, chọn mức xếp loại (A, B, C, D), bấm “Xếp loại”. "
                   "Người làm việc không quá 50% số ngày làm việc chỉ được xếp tối đa mức C. Vượt tỷ lệ loại A của đơn vị thì "
                   "phải ghi lý do.", "phieu_xep_loai"),
              Step("Phiếu đánh giá", "Khi đánh giá phiếu của lãnh đạo đơn vị, bên cạnh phiếu có kết quả xếp loại của cả đơn vị "
                   "để đối chiếu.", "phieu_lanh_dao"),
              Step("Tự đánh giá", "Phiếu của chính mình làm như hướng dẫn dành cho cán bộ: chấm điểm, lưu, gửi đúng hạn.",
                   "phieu_tu_danh_gia_lanh_dao"),
          )),
    Guide("tong-hop", "Hướng dẫn dành cho cán bộ tổng hợp, tham mưu đánh giá", "Tổng hợp, tham mưu đánh giá",
          "Cán bộ tổng hợp theo dõi tiến độ của đơn vị, nhắc người chậm, lập bảng tổng hợp tháng và xuất Excel.",
          (
              SIGN_IN,
              Step("Tiến độ đánh giá", "Xem đơn vị đã có bao nhiêu phiếu ở từng bước: chưa tự đánh giá, chờ nhận xét, chờ xếp "
                   "loại, đã xếp loại; lọc những người quá hạn để nhắc.", "tien_do"),
              Step("Tổng hợp kết quả", "Sau khi lãnh đạo xếp loại xong, lập bảng tổng hợp kết quả tháng của đơn vị: số lượng, tỷ "
                   "lệ từng mức A, B, C, D, danh sách từng người.", "tong_hop_thang"),
              Step("Tổng hợp kết quả", "Bấm “Xuất Excel” để tải bảng tổng hợp gửi cấp trên. Kỳ “Vận hành thử” được ghi rõ trên "
                   "bảng và không được cộng vào tổng hợp quý, năm.", "tong_hop_xuat"),
              Step("Trang chủ – Việc cần làm", "Phiếu tự đánh giá của chính mình làm như mọi người.", "viec_can_lam_tong_hop", "/"),
          )),
    Guide("quan-tri-cap-tren", "Hướng dẫn dành cho quản trị cấp trên cùng và quản trị khối",
          "Quản trị của đơn vị gốc (phường, xã, thành phố, sở…) và quản trị khối",
          "Quản trị đơn vị gốc dựng cây tổ chức, giao quản trị cho các khối, đơn vị, mở kỳ đánh giá và theo dõi triển khai. "
          "Quản trị khối làm được mọi việc của quản trị đơn vị cho mọi đơn vị trong khối.",
          (
              Step("Dòng lệnh trên máy chủ", "Cài đặt một lần: đặt tên và loại đơn vị gốc, ví dụ ORG_NAME=\"Phường Ba Đình\" "
                   "ORG_KIND=\"Phường\" và hậu tố tài khoản ACCOUNT_SUFFIX=badinh; chạy “flask --app run setup” rồi "
                   "“flask --app run create-admin --username admin” để tạo tài khoản quản trị đầu tiên."),
              SIGN_IN,
              Step("Khối", "Menu Tổ chức → Khối: tạo các khối (Đảng – Đoàn thể, Chính quyền, Giáo dục…).", "khoi", "/blocks/list/"),
              Step("Đơn vị", "Menu Tổ chức → Đơn vị: tạo các đơn vị trong từng khối, ghi loại hình và số người.", "don_vi",
                   "/units/list/"),
              Step("Cán bộ, công chức", "Mở hồ sơ người được giao quản trị khối, chọn khối ở ô “Quản trị khối”. Quản trị đơn vị "
                   "được đánh dấu bằng cột “Là quản trị đơn vị” của Mẫu 01.", "giao_quan_tri", "/staff/list/"),
              Step("Nhập Mẫu 01", "Nhận Mẫu 01 của các đơn vị và nhập (hoặc để từng đơn vị tự nhập). Có thể nhập một tệp gồm nhiều "
                   "đơn vị; đơn vị chưa có sẽ được tạo trong khối chọn khi tải lên.", "mau01_quan_tri", "/mau01/"),
              Step("Theo dõi triển khai", "Menu Tổ chức → Theo dõi triển khai: từng đơn vị đã gửi danh sách chưa (đơn vị chưa gửi ở "
                   "đầu bảng), số tài khoản đã tạo, đã đổi mật khẩu, bị khóa, chưa đăng nhập lần nào; cộng theo khối; xuất Excel "
                   "để đôn đốc.", "theo_doi_trien_khai", "/activation/"),
              Step("Kỳ đánh giá", "Mở kỳ đánh giá của tháng (hoặc quý); hai tháng đầu mở ở chế độ “Vận hành thử”: quy trình chạy "
                   "đủ, kỳ được ghi rõ là vận hành thử trên mọi màn hình và không tính vào tổng hợp. Gia hạn cho một đơn vị khi "
                   "cần; khóa kỳ khi xong.", "ky_danh_gia"),
              Step("Bộ tiêu chí", "Xem và điều chỉnh bộ tiêu chí, thang điểm, mức xếp loại và tỷ lệ loại A theo quy định đang áp "
                   "dụng.", "bo_tieu_chi"),
              Step("Gộp đơn vị", "Menu Tổ chức → Gộp đơn vị: khi sắp xếp lại tổ chức, chọn đơn vị được gộp và đơn vị nhận. Mọi "
                   "người chuyển sang đơn vị nhận, phiếu của kỳ đang mở đi theo người; kết quả các kỳ trước vẫn ghi đơn vị cũ.",
                   "gop_don_vi", "/unit-merge/"),
              Step("Vai trò và quyền", "Menu Bảo mật → Vai trò và quyền: mỗi vai trò làm được gì, do đâu mà có, bao nhiêu người "
                   "đang giữ.", "vai_tro", "/roles-overview/"),
          )),
)
GUIDE_BY_SLUG = {g.slug: g for g in GUIDES}

# The screenshots the browser tests produce (app/static/guides/<name>.png), in guide order, each once.
GUIDE_SHOTS: list[str] = list(dict.fromkeys(s.shot for g in GUIDES for s in g.steps if s.shot))


def shot_exists(name: Optional[str]) -> bool:
    return bool(name) and (SHOTS_DIR / f"{name}.png").is_file()


__all__ = ["Step", "Guide", "GUIDES", "GUIDE_BY_SLUG", "GUIDE_SHOTS", "SHOTS_DIR", "shot_exists"]
