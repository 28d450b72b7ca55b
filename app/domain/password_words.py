"""Words Vietnamese people often build passwords from, most common first (folded: no diacritics).

The strength estimator's own lists are English; these give it the local ones: the word "mật khẩu" itself,
endearments, places, the app's own vocabulary, and the commonest family, middle and given names.
"""
from __future__ import annotations

COMMON_WORDS: tuple[str, ...] = (
    # passwords and sign-in vocabulary
    "matkhau", "matkhaumoi", "matkhau123", "doimatkhau", "taikhoan", "dangnhap", "quantri", "quantrivien",
    "admin", "administrator", "khongbiet", "khongnho", "quenmatkhau", "batky", "xinchao", "chaoban",
    # endearments and family
    "anhyeuem", "emyeuanh", "yeuem", "yeuanh", "anhyeu", "emyeu", "iuem", "iuanh", "yeuemnhieu", "yeumai",
    "meyeu", "boyeu", "conyeu", "vuive", "hanhphuc", "giadinh", "baby", "honey", "cuncon", "heocon", "meocon",
    "bemeo", "becun", "beyeu", "chongyeu", "voyeu", "tinhyeu", "thuongem", "nhoem", "nhoanh",
    # places
    "vietnam", "hanoi", "thudo", "haiphong", "danang", "saigon", "hochiminh", "tphcm", "hue", "cantho",
    "nhatrang", "dalat", "vungtau", "quangninh", "halong", "badinh", "hoankiem", "caugiay", "dongda",
    "haibatrung", "tayho", "longbien", "gialam", "hadong", "thanhxuan", "hoangmai", "bactuliem", "namtuliem",
    # the app's and the office's own words
    "danhgia", "xeploai", "danhgiaxeploai", "congchuc", "vienchuc", "canbo", "congvu", "ubnd", "hdnd",
    "quanuy", "huyenuy", "danguy", "phuong", "quan", "huyen", "coquan", "donvi", "phongban", "noivu",
    "tochuc", "vanphong", "hanhchinh", "chinhphu", "nhanuoc", "congan", "quandoi", "truonghoc", "giaovien",
    "hocsinh", "sinhvien", "bacsi", "ketoan",
    # family names
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho", "ngo",
    "duong", "ly", "dao", "dinh", "mai", "trinh", "truong", "lam", "luong", "ha", "cao", "ta", "quach",
    # middle names
    "van", "thi", "duc", "minh", "thanh", "ngoc", "quang", "huu", "xuan", "dinh", "cong", "kim", "thu",
    "hong", "bao", "gia", "tien", "manh", "tuan",
    # given names
    "anh", "hung", "dung", "hoa", "lan", "linh", "huong", "nam", "trang", "hieu", "hai", "long", "thao",
    "phuong", "hang", "son", "thuy", "quan", "tam", "trung", "thang", "cuong", "binh", "an", "hanh", "ha",
    "nga", "nhung", "yen", "tu", "khanh", "duy", "hoai", "loan", "hien", "vinh", "phong", "dat", "tung",
    "hoang", "huy", "khoa", "kien", "ngan", "nhi", "oanh", "quynh", "tai", "thien", "thuan", "toan", "viet",
    "chi", "diep", "giang", "hau", "hue", "lien", "ly", "mi", "my", "nhan", "nhat", "phuc", "sang", "tinh",
)
