//! Names, titles, targets and deadline texts of the synthetic plans.

use super::*;

// Names and texts, kept short: at full scale every byte is multiplied by
// millions of rows.

pub(super) const SYLLABLES: [&str; 30] = [
    "An", "Bình", "Hòa", "Phú", "Tân", "Long", "Thạnh", "Đông", "Tây", "Nam", "Bắc", "Hưng",
    "Phước", "Thuận", "Lộc", "Sơn", "Lâm", "Hải", "Minh", "Quang", "Thịnh", "Vĩnh", "Mỹ", "Đức",
    "Trung", "Hồng", "Kim", "Ngọc", "Thái", "Xuân",
];

pub(super) fn two_syllables(a: usize, b: usize) -> String {
    let a = a % SYLLABLES.len();
    let mut b = b % SYLLABLES.len();
    if a == b {
        b = (b + 1) % SYLLABLES.len();
    }
    format!("{} {}", SYLLABLES[a], SYLLABLES[b])
}

pub(super) fn province_name(p: usize) -> String {
    format!("Tỉnh {}", two_syllables(p, p * 7 + 11 + (p / 30) * 3))
}

pub(super) fn commune_short(p: usize, c: usize) -> String {
    two_syllables(c + p, (c / 30) * 7 + (c % 30) * 11 + p)
}

/// The ten units that report in every commune: kind, side, name.
pub(super) const WORKING_UNITS: [(&str, &str, &str); UNITS_PER_COMMUNE] = [
    ("office", "government", "Văn phòng HĐND và UBND"),
    ("department", "government", "Phòng Kinh tế"),
    ("department", "government", "Phòng Văn hóa - Xã hội"),
    ("office", "government", "Trung tâm Phục vụ hành chính công"),
    ("office", "party", "Văn phòng Đảng ủy"),
    ("police_post", "government", "Công an xã"),
    ("school", "government", "Trường THCS"),
    ("school", "government", "Trường Tiểu học"),
    ("village", "government", "Thôn Trung Tâm"),
    ("mass_organisation", "other", "Đoàn Thanh niên"),
];

pub(super) const GROUPS: [&str; 5] = [
    "I. Nâng cao nhận thức, đổi mới tư duy",
    "II. Hoàn thiện thể chế, chính sách",
    "III. Phát triển hạ tầng số",
    "IV. Chuyển đổi số trong cơ quan nhà nước",
    "V. Kinh tế số, xã hội số",
];

pub(super) const TASK_TITLES: [&str; 30] = [
    "Quán triệt Nghị quyết 57-NQ/TW đến cán bộ, đảng viên",
    "Tuyên truyền về chuyển đổi số trên hệ thống truyền thanh",
    "Bồi dưỡng kỹ năng số cho cán bộ, công chức",
    "Tổ chức hội nghị sơ kết thực hiện kế hoạch",
    "Phát động phong trào Bình dân học vụ số",
    "Thành lập tổ công nghệ số cộng đồng",
    "Rà soát, đề xuất bãi bỏ thủ tục không cần thiết",
    "Ban hành quy chế quản lý, sử dụng dữ liệu dùng chung",
    "Xây dựng quy chế phối hợp cung cấp dịch vụ công trực tuyến",
    "Rà soát văn bản quy phạm pháp luật liên quan",
    "Bố trí kinh phí thực hiện chuyển đổi số",
    "Đánh giá kết quả thực hiện chỉ số cải cách hành chính",
    "Phủ sóng di động 4G, 5G đến các thôn",
    "Lắp đặt hệ thống camera giám sát an ninh trật tự",
    "Nâng cấp mạng nội bộ và đường truyền chuyên dùng",
    "Trang bị thiết bị cho Trung tâm Phục vụ hành chính công",
    "Triển khai điểm truy cập Internet công cộng miễn phí",
    "Bảo đảm an toàn thông tin theo cấp độ",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
    "Cập nhật cơ sở dữ liệu dân cư, đất đai",
    "Vận hành hệ thống quản lý văn bản và điều hành",
    "Sử dụng chữ ký số trong xử lý văn bản",
    "Triển khai họp trực tuyến đến các thôn",
    "Công khai thông tin trên Cổng thông tin điện tử xã",
    "Hỗ trợ hộ sản xuất đưa sản phẩm lên sàn thương mại điện tử",
    "Mở rộng thanh toán không dùng tiền mặt",
    "Triển khai sổ sức khỏe điện tử",
    "Ứng dụng công nghệ số trong dạy và học",
    "Xây dựng mô hình thôn thông minh",
    "Hỗ trợ doanh nghiệp, hợp tác xã chuyển đổi số",
];

pub(super) const SUSPEND_REASONS: [&str; 3] = [
    "Chưa được bố trí kinh phí",
    "Chờ hướng dẫn của cấp trên",
    "Điều chỉnh theo sắp xếp đơn vị hành chính",
];

/// A target template: name, measure unit, comparator, the 2026 and 2030
/// goals, a plausible starting range, bounds, and whether values are whole.
pub(super) struct TargetTemplate {
    pub(super) name: &'static str,
    pub(super) unit: &'static str,
    pub(super) op: Comparator,
    pub(super) goal_2026: f64,
    pub(super) goal_2030: f64,
    pub(super) start: (f64, f64),
    pub(super) bounds: (f64, f64),
    pub(super) whole: bool,
}

pub(super) const fn tt(
    name: &'static str,
    unit: &'static str,
    op: Comparator,
    goals: (f64, f64),
    start: (f64, f64),
    bounds: (f64, f64),
    whole: bool,
) -> TargetTemplate {
    TargetTemplate {
        name,
        unit,
        op,
        goal_2026: goals.0,
        goal_2030: goals.1,
        start,
        bounds,
        whole,
    }
}

pub(super) const TARGETS: [TargetTemplate; 20] = [
    tt(
        "Tỷ lệ hồ sơ thủ tục hành chính xử lý trực tuyến",
        "%",
        Comparator::Ge,
        (60.0, 90.0),
        (20.0, 55.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ dịch vụ công trực tuyến toàn trình",
        "%",
        Comparator::Ge,
        (80.0, 100.0),
        (40.0, 75.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ văn bản trao đổi dưới dạng điện tử",
        "%",
        Comparator::Ge,
        (90.0, 100.0),
        (60.0, 88.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ hồ sơ giải quyết quá hạn",
        "%",
        Comparator::Le,
        (5.0, 1.0),
        (4.0, 15.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ người dân trưởng thành có danh tính điện tử",
        "%",
        Comparator::Ge,
        (80.0, 95.0),
        (45.0, 75.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ hộ gia đình có cáp quang",
        "%",
        Comparator::Ge,
        (80.0, 100.0),
        (50.0, 78.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ người dân có điện thoại thông minh",
        "%",
        Comparator::Ge,
        (85.0, 95.0),
        (60.0, 84.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ thanh toán không dùng tiền mặt",
        "%",
        Comparator::Ge,
        (50.0, 80.0),
        (15.0, 45.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Số hộ sản xuất bán hàng trên sàn thương mại điện tử",
        "hộ",
        Comparator::Ge,
        (30.0, 120.0),
        (0.0, 20.0),
        (0.0, 500.0),
        true,
    ),
    tt(
        "Số thôn có điểm truy cập Internet công cộng",
        "thôn",
        Comparator::Ge,
        (5.0, 12.0),
        (0.0, 4.0),
        (0.0, 20.0),
        true,
    ),
    tt(
        "Tỷ lệ cán bộ, công chức có kỹ năng số cơ bản",
        "%",
        Comparator::Ge,
        (90.0, 100.0),
        (50.0, 85.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ trường học dạy và học trực tuyến",
        "%",
        Comparator::Ge,
        (70.0, 100.0),
        (30.0, 65.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Tỷ lệ người dân có sổ sức khỏe điện tử",
        "%",
        Comparator::Ge,
        (70.0, 95.0),
        (30.0, 65.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Số camera an ninh kết nối trung tâm",
        "camera",
        Comparator::Ge,
        (20.0, 60.0),
        (0.0, 15.0),
        (0.0, 200.0),
        true,
    ),
    tt(
        "Xếp hạng chỉ số chuyển đổi số cấp xã trong tỉnh",
        "hạng",
        Comparator::Top,
        (30.0, 10.0),
        (25.0, 90.0),
        (1.0, 97.0),
        true,
    ),
    tt(
        "Tỷ lệ hồ sơ được số hóa kết quả",
        "%",
        Comparator::Ge,
        (70.0, 100.0),
        (25.0, 60.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Số doanh nghiệp, hợp tác xã ứng dụng công nghệ số",
        "đơn vị",
        Comparator::Ge,
        (5.0, 20.0),
        (0.0, 4.0),
        (0.0, 80.0),
        true,
    ),
    tt(
        "Tỷ lệ phản ánh kiến nghị xử lý trực tuyến",
        "%",
        Comparator::Ge,
        (80.0, 95.0),
        (40.0, 75.0),
        (0.0, 100.0),
        false,
    ),
    tt(
        "Thời gian xử lý hồ sơ trung bình",
        "ngày",
        Comparator::Le,
        (3.0, 1.5),
        (3.0, 7.0),
        (0.5, 15.0),
        false,
    ),
    tt(
        "Tỷ lệ kinh phí chi cho chuyển đổi số",
        "%",
        Comparator::Ge,
        (1.0, 3.0),
        (0.2, 0.9),
        (0.0, 10.0),
        false,
    ),
];

pub(super) fn comparator_text(op: Comparator) -> &'static str {
    match op {
        Comparator::Ge => ">=",
        Comparator::Gt => ">",
        Comparator::Le => "<=",
        Comparator::Lt => "<",
        Comparator::Eq => "=",
        Comparator::Top => "top",
    }
}

pub(super) fn goal_text(op: Comparator, value: f64, unit: &str) -> String {
    let v = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}").replace('.', ",")
    };
    match op {
        Comparator::Top => format!("Top {v}"),
        Comparator::Le | Comparator::Lt => format!("≤ {v} {unit}"),
        _ => format!("≥ {v} {unit}"),
    }
}

// ---------------------------------------------------------------------------
// Deadlines in the forms plans use, due at month, quarter, half-year and
// year ends from 2026 to 2030, plus about 20% `Thường xuyên`.

pub(super) fn deadline_text(rng: &mut Rng) -> String {
    if rng.chance(0.2) {
        return "Thường xuyên".into();
    }
    // Earlier years are more common: plans front-load their work.
    let year = 2026 + [0, 0, 0, 1, 1, 1, 2, 2, 3, 4][rng.below(10) as usize];
    let form = rng.below(100);
    if form < 38 {
        format!("Tháng {}/{year}", 1 + rng.below(12))
    } else if form < 70 {
        let q = ["I", "II", "III", "IV"][rng.below(4) as usize];
        format!("Quý {q}/{year}")
    } else if form < 80 {
        format!("6 tháng đầu năm {year}")
    } else {
        format!("Năm {year}")
    }
}

/// Parsed deadlines, by text: at full scale there are a few hundred texts
/// for 200,000 tasks.
#[derive(Default)]
pub(super) struct Deadlines(HashMap<String, ParsedDeadline>);

#[derive(Clone)]
pub(super) struct ParsedDeadline {
    pub(super) deadline: Deadline,
    pub(super) kind: &'static str,
    pub(super) start: Option<NaiveDate>,
    pub(super) end: Option<NaiveDate>,
    /// The one-off due date: the generator's deadlines are one-off or
    /// ongoing, never recurring.
    pub(super) due: Option<NaiveDate>,
}

impl Deadlines {
    pub(super) fn get(&mut self, text: &str) -> ParsedDeadline {
        if let Some(p) = self.0.get(text) {
            return p.clone();
        }
        let d = Deadline::parse(text);
        let parsed = ParsedDeadline {
            kind: d.kind().as_str(),
            start: d.start(),
            end: d.end(),
            due: d.final_due_date(),
            deadline: d,
        };
        self.0.insert(text.to_string(), parsed.clone());
        parsed
    }
}

/// Months since January of [`FIRST_YEAR`] (0 = 2026-01).
pub(super) fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year() - FIRST_YEAR) * 12 + i64::from(d.month0())
}

// ---------------------------------------------------------------------------
// The tree: synthetic names, or the official list of 2025.

/// An official unit's code and type, set on its row as `theodoi unit
/// import --official` sets them.
#[derive(Debug, Clone)]
pub(super) struct Official {
    pub(super) code: String,
    pub(super) official_type: OfficialType,
}

/// How a commune is named.
#[derive(Debug, Clone)]
pub(super) enum CommuneNaming {
    /// A synthetic name, from the province's and the commune's positions
    /// (its prefix drawn from the commune's stream).
    Synthetic { p: usize, c: usize },
    /// A commune of the official list: its name, code and type.
    Official { name: String, official: Official },
}

/// A province to generate and its communes, in order.
#[derive(Debug, Clone)]
pub(super) struct ProvincePlan {
    pub(super) name: String,
    pub(super) official: Option<Official>,
    pub(super) communes: Vec<CommuneNaming>,
}

/// The provinces `options` asks for: `provinces` synthetic ones of
/// `communes_per_province` communes, or with `official` the first
/// `provinces` of the shipped list by code, each with its communes by code
/// (at most `communes_per_province` of them).
pub(super) fn province_plans(options: &GenOptions) -> anyhow::Result<Vec<ProvincePlan>> {
    if !options.official {
        return Ok((0..options.provinces as usize)
            .map(|p| ProvincePlan {
                name: province_name(p),
                official: None,
                communes: (0..options.communes_per_province as usize)
                    .map(|c| CommuneNaming::Synthetic { p, c })
                    .collect(),
            })
            .collect());
    }
    let units = official_2025().context("danh mục đơn vị hành chính chính thức")?;
    let mut provinces: Vec<&OfficialUnit> =
        units.iter().filter(|u| u.parent_code.is_none()).collect();
    if options.provinces as usize > provinces.len() {
        bail!(
            "danh mục chính thức chỉ có {} tỉnh, thành phố; --provinces {} quá lớn",
            provinces.len(),
            options.provinces
        );
    }
    provinces.sort_by(|a, b| a.code.cmp(&b.code));
    provinces.truncate(options.provinces as usize);
    let official = |u: &OfficialUnit| Official {
        code: u.code.clone(),
        official_type: u.official_type,
    };
    Ok(provinces
        .into_iter()
        .map(|province| {
            let mut communes: Vec<&OfficialUnit> = units
                .iter()
                .filter(|u| u.parent_code.as_deref() == Some(province.code.as_str()))
                .collect();
            communes.sort_by(|a, b| a.code.cmp(&b.code));
            ProvincePlan {
                name: province.name.clone(),
                official: Some(official(province)),
                communes: communes
                    .into_iter()
                    .take(options.communes_per_province as usize)
                    .map(|u| CommuneNaming::Official {
                        name: u.name.clone(),
                        official: official(u),
                    })
                    .collect(),
            }
        })
        .collect())
}

/// A commune's name without its type (`Phường Ba Đình` → `Ba Đình`), for
/// the plan's place and the schools' names.
pub(super) fn short_name(name: &str, official_type: OfficialType) -> String {
    name.strip_prefix(official_type.label_vi())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(name)
        .to_string()
}
