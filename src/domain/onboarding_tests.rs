use std::collections::HashSet;

use super::*;

fn line(row: usize, cells: &[&str]) -> SheetLine {
    SheetLine {
        row,
        cells: cells.iter().map(|c| c.to_string()).collect(),
    }
}

fn unit(id: i64, parent: Option<i64>, kind: UnitKind, name: &str, code: Option<&str>) -> TreeUnit {
    TreeUnit {
        id,
        parent_id: parent,
        kind,
        name: name.into(),
        aliases: vec![],
        code: code.map(str::to_string),
    }
}

/// A province with one commune (coded) and its culture department.
fn tree() -> (TreeUnit, Vec<TreeUnit>) {
    let root = unit(2, Some(1), UnitKind::Province, "Tỉnh Sơn Lâm", Some("99"));
    let units = vec![
        unit(3, Some(2), UnitKind::Commune, "Xã Tân Phong", Some("09999")),
        TreeUnit {
            aliases: vec!["Phòng VHXH".into()],
            ..unit(
                4,
                Some(3),
                UnitKind::Department,
                "Phòng Văn hóa - Xã hội",
                None,
            )
        },
    ];
    (root, units)
}

const HEADER: &[&str] = &[
    "STT",
    "Đơn vị",
    "Mã hoặc đường dẫn",
    "Loại",
    "Họ tên",
    "Tên đăng nhập",
    "Vai trò",
    "Email",
    "Điện thoại",
];

fn plan(lines: &[SheetLine], taken: &[&str]) -> Result<OnboardPlan, Vec<RowProblem>> {
    let (root, units) = tree();
    let resolved = resolve(lines, &root, &units)?;
    let taken: HashSet<String> = taken.iter().map(|s| s.to_string()).collect();
    resolved.finish(&taken).map(Valid::into_inner)
}

#[test]
fn headers_are_read_in_vietnamese_or_english_with_or_without_accents() {
    let columns = read_header(&line(1, HEADER)).expect("header");
    assert_eq!(columns[0], None, "STT is left alone");
    assert_eq!(columns[1], Some(Column::Unit));
    assert_eq!(columns[6], Some(Column::Role));
    let english = line(1, &["unit", "code or path", "full name", "role", "e-mail"]);
    let columns = read_header(&english).expect("english");
    assert_eq!(columns[4], Some(Column::Email));
    let folded = line(1, &["DON VI", "ho ten", "vai tro", "so dien thoai"]);
    assert!(read_header(&folded).is_ok());
    let unknown = read_header(&line(1, &["Đơn vị", "Mật khẩu"])).expect_err("unknown");
    assert!(unknown.message.contains("Mật khẩu"), "{}", unknown.message);
    assert!(
        read_header(&line(1, &["Họ tên", "Vai trò"])).is_err(),
        "no unit"
    );
    assert!(
        read_header(&line(1, &["Đơn vị", "Họ tên"])).is_err(),
        "no role"
    );
}

#[test]
fn a_path_creates_its_missing_last_parts_under_an_existing_parent() {
    let lines = vec![
        line(1, HEADER),
        line(
            2,
            &[
                "1",
                "",
                "Tỉnh Sơn Lâm / Xã Đồng Tâm / Phòng Kinh tế",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ),
        line(
            3,
            &[
                "2",
                "Thôn Đông",
                "Xã Đồng Tâm",
                "",
                "Nguyễn Văn An",
                "",
                "Cán bộ báo cáo",
                "",
                "",
            ],
        ),
        line(
            4,
            &[
                "3",
                "Phòng VHXH",
                "09999",
                "",
                "Trần Thị Bình",
                "tpbinh",
                "Đầu mối",
                "b@x.vn",
                "0912 345 678",
            ],
        ),
    ];
    let p = plan(&lines, &[]).expect("valid");
    let names: Vec<_> = p.units.iter().map(|u| (u.name.as_str(), u.kind)).collect();
    assert_eq!(
        names,
        vec![
            ("Xã Đồng Tâm", UnitKind::Commune),
            ("Phòng Kinh tế", UnitKind::Department),
            ("Thôn Đông", UnitKind::Village),
        ]
    );
    assert_eq!(p.units[0].parent, UnitRef::Existing(2));
    assert_eq!(p.units[1].parent, UnitRef::New(0));
    assert_eq!(p.units[2].parent, UnitRef::New(0));
    assert_eq!(p.accounts.len(), 2);
    assert_eq!(p.accounts[0].unit, UnitRef::New(2));
    assert_eq!(p.accounts[0].username, "annv.td.dongtam");
    assert_eq!(p.accounts[0].role, Role::UnitReporter);
    // The code names the commune; «Phòng VHXH» is its department's alias.
    assert_eq!(p.accounts[1].unit, UnitRef::Existing(4));
    assert_eq!(p.accounts[1].username, "tpbinh");
    assert_eq!(p.accounts[1].profile.phone.as_deref(), Some("0912345678"));
    assert_eq!(p.units_found, 1);
}

#[test]
fn generated_usernames_are_unique_in_the_sheet_and_the_store() {
    let lines = vec![
        line(1, &["Đơn vị", "Họ tên", "Vai trò"]),
        line(2, &["Xã Tân Phong", "Nguyễn Văn An", "leader"]),
        line(3, &["Xã Tân Phong", "Nguyễn Văn An", "viewer"]),
        line(4, &["Xã Tân Phong", "Nguyễn Văn An", "viewer"]),
    ];
    let p = plan(&lines, &["annv.tanphong"]).expect("valid");
    let names: Vec<_> = p.accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(
        names,
        vec!["annv.tanphong2", "annv.tanphong3", "annv.tanphong4"]
    );
}

#[test]
fn every_bad_row_is_named_with_its_reason() {
    let lines = vec![
        line(1, HEADER),
        line(
            2,
            &[
                "",
                "Phòng Kinh tế",
                "09999",
                "",
                "Lê Văn C",
                "",
                "Chủ tịch",
                "",
                "",
            ],
        ),
        line(3, &["", "", "12345", "", "", "", "", "", ""]),
        line(
            4,
            &[
                "",
                "Phòng Kinh tế",
                "09999",
                "",
                "Lê Văn D",
                "le.d",
                "viewer",
                "",
                "",
            ],
        ),
        line(
            5,
            &[
                "",
                "Phòng Kinh tế",
                "09999",
                "",
                "Lê Văn E",
                "LE.D",
                "viewer",
                "",
                "",
            ],
        ),
        line(6, &["", "", "", "", "", "", "", "", ""]),
        line(7, &["", "Xã Mới", "09999", "xã", "", "", "", "", ""]),
        line(8, &["", "Phòng X", "09999", "", "", "", "", "x@y.vn", ""]),
        line(
            9,
            &[
                "",
                "Phòng X",
                "09999",
                "",
                "Lê F",
                "",
                "viewer",
                "không-phải-email",
                "",
            ],
        ),
    ];
    let problems = plan(&lines, &[]).expect_err("refused");
    let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
    assert_eq!(rows, vec![2, 3, 5, 7, 8, 9]);
    assert!(problems[0].message.contains("Chủ tịch"));
    assert!(problems[1].message.contains("12345"));
    assert!(problems[2].message.contains("dòng 4"));
    assert!(
        problems[3].message.contains("Xã Mới"),
        "{}",
        problems[3].message
    );
    assert!(problems[4].message.contains("họ tên"));
}

#[test]
fn a_username_already_taken_refuses_its_row() {
    let lines = vec![
        line(1, &["Đơn vị", "Họ tên", "Tên đăng nhập", "Vai trò"]),
        line(2, &["Xã Tân Phong", "A", "canbo", "viewer"]),
        line(3, &["Xã Tân Phong", "B", "canbo2", "viewer"]),
    ];
    let problems = plan(&lines, &["canbo2"]).expect_err("taken");
    assert_eq!(
        problems,
        vec![RowProblem::new(
            3,
            "Tên đăng nhập «canbo2» đã có người dùng"
        )]
    );
}

#[test]
fn a_row_may_describe_only_a_unit_and_an_existing_one_is_not_created_again() {
    let lines = vec![
        line(1, &["Đơn vị", "Mã hoặc đường dẫn", "Loại"]),
        line(2, &["Phòng Văn hoá – Xã hội", "Xã Tân Phong", ""]),
        line(3, &["Trường Mầm non Tân Phong", "Xã Tân Phong", "school"]),
        line(4, &["Trường Mầm non Tân Phong", "xa tan phong", ""]),
    ];
    let p = plan(&lines, &[]).expect("valid");
    assert_eq!(p.units.len(), 1);
    assert_eq!(p.units[0].kind, UnitKind::School);
    assert!(p.accounts.is_empty());
    assert_eq!(p.units_found, 2);
}

#[test]
fn kinds_roles_and_places_are_read_as_people_write_them() {
    assert_eq!(parse_kind("Thôn/Tổ dân phố"), Some(UnitKind::Village));
    assert_eq!(parse_kind("police_post"), Some(UnitKind::PolicePost));
    assert_eq!(parse_kind("to dan pho"), Some(UnitKind::Village));
    assert_eq!(parse_kind("Mây"), None);
    assert_eq!(parse_role("Quản trị"), Some(Role::Administrator));
    assert_eq!(parse_role("ĐẦU MỐI TỔNG HỢP"), Some(Role::FocalPoint));
    assert_eq!(parse_role("unit_reporter"), Some(Role::UnitReporter));
    assert_eq!(parse_role("Chủ tịch"), None);
    assert_eq!(Place::parse(" 00004 "), Some(Place::Code("00004".into())));
    assert_eq!(
        Place::parse("Tỉnh A / Xã B"),
        Some(Place::Path(vec!["Tỉnh A".into(), "Xã B".into()]))
    );
    assert_eq!(Place::parse("Xã B"), Some(Place::Path(vec!["Xã B".into()])));
    assert_eq!(guess_kind("Xã B", UnitKind::Province), UnitKind::Commune);
    assert_eq!(
        guess_kind("Ban Chỉ đạo 57", UnitKind::Commune),
        UnitKind::SteeringCommittee
    );
    assert_eq!(
        guess_side("Văn phòng Đảng ủy", UnitKind::Office),
        Side::Party
    );
}

#[test]
fn an_empty_sheet_or_a_header_alone_is_refused() {
    assert!(plan(&[], &[]).is_err());
    let problems = plan(&[line(1, HEADER)], &[]).expect_err("header only");
    assert_eq!(problems[0].row, 1);
}
