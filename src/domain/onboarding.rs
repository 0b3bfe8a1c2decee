//! Onboarding in bulk: a sheet of units and accounts (one row each, a row
//! may describe only a unit) read against the part of the tree the person
//! administers, and turned into what to create — or into the list of bad
//! rows, each named by its row number with the reason in Vietnamese. Pure:
//! the tree and the usernames already taken come in as data.
//!
//! A row names its unit by an official code of an existing unit, or by a
//! path of names (`Tỉnh X / Xã Y / Phòng Z`) from the administrator's unit;
//! the components of a path that do not exist yet are created under the
//! last one that does. The unit's own name (column «Đơn vị») is the last
//! component when it is not already there. A row with neither names a unit
//! directly under the administrator's unit.
//!
//! Checking is done in two steps because usernames are generated from the
//! person's name and unit: [`resolve`] places every row and proposes a
//! username; the caller reads which of those are taken; [`Resolved::finish`]
//! picks free usernames and refuses taken ones. Every bad row is reported,
//! not only the first.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::access::Role;
use super::staff::{Profile, parse_username};
use super::text::{fold_vietnamese, normalize_spaces, search_key};
use super::unit::{Side, UnitKind};
use super::valid::Valid;

/// Most rows a sheet may have (a large province has a few thousand units
/// and accounts).
pub const MAX_ROWS: usize = 20_000;

/// One line of a sheet as read: its row number in the file (1-based, the
/// header counted) and its cells as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLine {
    pub row: usize,
    pub cells: Vec<String>,
}

/// Why a row (or, with row 0, the file) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowProblem {
    pub row: usize,
    pub message: String,
}

impl RowProblem {
    fn new(row: usize, message: impl Into<String>) -> RowProblem {
        RowProblem {
            row,
            message: message.into(),
        }
    }
}

/// A column of the sheet, found by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Unit,
    Place,
    Kind,
    FullName,
    Username,
    Role,
    Email,
    Phone,
}

/// Headers understood, folded (`search_key`), Vietnamese and English.
const HEADERS: &[(Column, &[&str])] = &[
    (
        Column::Unit,
        &["don vi", "ten don vi", "unit", "unit name", "co quan"],
    ),
    (
        Column::Place,
        &[
            "ma hoac duong dan",
            "ma hoac duong dan don vi",
            "ma don vi hoac duong dan",
            "ma duong dan",
            "ma duong dan don vi",
            "ma don vi",
            "duong dan",
            "duong dan don vi",
            "thuoc",
            "thuoc don vi",
            "ma",
            "code",
            "path",
            "unit code",
            "code or path",
            "unit code or path",
            "parent",
        ],
    ),
    (
        Column::Kind,
        &["loai", "loai don vi", "kind", "unit kind", "type"],
    ),
    (
        Column::FullName,
        &["ho ten", "ho va ten", "ho ten can bo", "full name", "name"],
    ),
    (
        Column::Username,
        &["ten dang nhap", "tai khoan", "username", "login"],
    ),
    (Column::Role, &["vai tro", "quyen", "role"]),
    (
        Column::Email,
        &["email", "e mail", "thu dien tu", "thu dien tu email"],
    ),
    (
        Column::Phone,
        &["dien thoai", "so dien thoai", "sdt", "phone", "telephone"],
    ),
];

/// Headers of columns kept for people and not read.
const IGNORED: &[&str] = &["stt", "tt", "so tt", "ghi chu", "note", "notes", "no"];

/// The columns of a header row, in order (`None`: a column left alone).
pub fn read_header(line: &SheetLine) -> Result<Vec<Option<Column>>, RowProblem> {
    let mut columns = Vec::with_capacity(line.cells.len());
    let mut seen = HashSet::new();
    for cell in &line.cells {
        let key = search_key(cell);
        if key.is_empty() || IGNORED.contains(&key.as_str()) {
            columns.push(None);
            continue;
        }
        let Some(column) = HEADERS
            .iter()
            .find(|(_, names)| names.contains(&key.as_str()))
            .map(|(c, _)| *c)
        else {
            return Err(RowProblem::new(
                line.row,
                format!(
                    "Không hiểu cột «{}». Các cột dùng được: Đơn vị, Mã hoặc đường dẫn, Loại, \
                     Họ tên, Tên đăng nhập, Vai trò, Email, Điện thoại",
                    cell.trim()
                ),
            ));
        };
        if !seen.insert(column) {
            return Err(RowProblem::new(
                line.row,
                format!("Cột «{}» có hai lần", cell.trim()),
            ));
        }
        columns.push(Some(column));
    }
    if !seen.contains(&Column::Unit) && !seen.contains(&Column::Place) {
        return Err(RowProblem::new(
            line.row,
            "Thiếu cột «Đơn vị» hoặc «Mã hoặc đường dẫn»: mỗi dòng phải chỉ ra đơn vị",
        ));
    }
    if seen.contains(&Column::FullName) != seen.contains(&Column::Role) {
        return Err(RowProblem::new(
            line.row,
            "Cột «Họ tên» và cột «Vai trò» phải đi cùng nhau",
        ));
    }
    Ok(columns)
}

/// Where a row's unit is: an official code, or a path of names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Code(String),
    Path(Vec<String>),
}

impl Place {
    /// A code is one word with a digit and no space (`00004`, `25.123`);
    /// anything else is a path of names separated by `/` or `>`.
    pub fn parse(text: &str) -> Option<Place> {
        let text = normalize_spaces(text);
        if text.is_empty() {
            return None;
        }
        let is_code = !text.contains(' ')
            && !text.contains('/')
            && text.chars().any(|c| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
        if is_code {
            return Some(Place::Code(text));
        }
        let parts: Vec<String> = text
            .split(['/', '>', '›'])
            .map(normalize_spaces)
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then_some(Place::Path(parts))
    }
}

/// A unit kind as a person writes it: the API's names, the Vietnamese
/// labels, and the usual words.
pub fn parse_kind(text: &str) -> Option<UnitKind> {
    if let Some(kind) = UnitKind::parse(text.trim()) {
        return Some(kind);
    }
    let key = search_key(text);
    if let Some(kind) = UnitKind::ALL
        .into_iter()
        .find(|k| search_key(k.label_vi()) == key)
    {
        return Some(kind);
    }
    let kind = match key.as_str() {
        "tinh" | "thanh pho" | "tinh thanh pho" => UnitKind::Province,
        "xa" | "phuong" | "dac khu" | "xa phuong" => UnitKind::Commune,
        "phong" | "phong ban" | "phong chuyen mon" => UnitKind::Department,
        "van phong" | "co quan" | "trung tam" | "ban" | "uy ban" => UnitKind::Office,
        "thon" | "xom" | "ap" | "ban lang" | "to dan pho" | "khu pho" => UnitKind::Village,
        "truong" | "truong hoc" => UnitKind::School,
        "cong an" => UnitKind::PolicePost,
        "doan the" | "mat tran" | "hoi" | "doan" | "to chuc chinh tri xa hoi" => {
            UnitKind::MassOrganisation
        }
        "doanh nghiep" => UnitKind::Enterprise,
        "ban chi dao" => UnitKind::SteeringCommittee,
        "khac" => UnitKind::Other,
        _ => return None,
    };
    Some(kind)
}

/// A role as a person writes it: the API's names or the Vietnamese words.
pub fn parse_role(text: &str) -> Option<Role> {
    if let Some(role) = Role::parse(text) {
        return Some(role);
    }
    let key = search_key(text);
    if let Some(role) = Role::ALL
        .into_iter()
        .find(|r| search_key(r.label_vi()) == key)
    {
        return Some(role);
    }
    let role = match key.as_str() {
        "quan tri" | "quan tri vien" => Role::Administrator,
        "lanh dao" | "lanh dao don vi" => Role::Leader,
        "dau moi" | "dau moi tong hop" | "can bo dau moi" => Role::FocalPoint,
        "bao cao" | "can bo bao cao" | "can bo" | "nguoi bao cao" => Role::UnitReporter,
        "xem" | "nguoi xem" | "chi xem" => Role::Viewer,
        "kiem tra" | "kiem tra giam sat" | "thanh tra" => Role::Inspector,
        _ => return None,
    };
    Some(role)
}

/// The kind a new unit gets from its name when the sheet gives none,
/// given the kind of the unit it goes under.
pub fn guess_kind(name: &str, parent: UnitKind) -> UnitKind {
    let key = search_key(name);
    let starts = |prefixes: &[&str]| {
        prefixes
            .iter()
            .any(|p| key == *p || key.starts_with(&format!("{p} ")))
    };
    // A name that reads as a level is one, wherever it is asked for: under
    // anything but a province it is then refused, not made a working unit.
    if parent == UnitKind::Nation || starts(&["tinh", "thanh pho"]) {
        return UnitKind::Province;
    }
    if starts(&["xa", "phuong", "dac khu", "thi tran"]) {
        return UnitKind::Commune;
    }
    if starts(&["ban chi dao"]) {
        UnitKind::SteeringCommittee
    } else if starts(&["phong"]) {
        UnitKind::Department
    } else if starts(&["thon", "xom", "ap", "to dan pho", "khu pho", "khu"]) {
        UnitKind::Village
    } else if starts(&["truong"]) {
        UnitKind::School
    } else if starts(&["cong an"]) {
        UnitKind::PolicePost
    } else if starts(&["hoi", "doan", "uy ban mttq", "uy ban mat tran", "mat tran"]) {
        UnitKind::MassOrganisation
    } else if starts(&["cong ty", "doanh nghiep", "tap doan", "vnpt", "viettel"]) {
        UnitKind::Enterprise
    } else if starts(&[
        "van phong",
        "uy ban",
        "trung tam",
        "ban",
        "dang uy",
        "hoi dong",
        "tram",
    ]) {
        UnitKind::Office
    } else {
        UnitKind::Other
    }
}

/// The side a new unit is on, from its kind and name.
pub fn guess_side(name: &str, kind: UnitKind) -> Side {
    let key = search_key(name);
    if key.contains("dang uy") || key.contains("chi bo") || key.starts_with("ban xay dung dang") {
        Side::Party
    } else if kind == UnitKind::MassOrganisation || kind == UnitKind::Enterprise {
        Side::Other
    } else {
        Side::Government
    }
}

/// A unit already in the tree, within the administrator's subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: UnitKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub code: Option<String>,
}

/// A unit of the plan: one already there, or the n-th to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum UnitRef {
    Existing(i64),
    New(usize),
}

/// A unit to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// The first row that named it.
    pub row: usize,
    pub parent: UnitRef,
    pub kind: UnitKind,
    pub side: Side,
    pub name: String,
}

/// An account to create (no password: an enrolment code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub row: usize,
    pub unit: UnitRef,
    pub username: String,
    pub profile: Profile,
    pub role: Role,
}

/// What a sheet creates, units before the accounts placed on them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OnboardPlan {
    pub units: Vec<NewUnit>,
    pub accounts: Vec<NewAccount>,
    /// Rows whose unit was already there.
    pub units_found: usize,
}

/// A username as the row gave it, or to generate from this base.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Wanted {
    Given(String),
    Base(String),
}

#[derive(Debug, Clone)]
struct PendingAccount {
    row: usize,
    unit: UnitRef,
    username: Wanted,
    profile: Profile,
    role: Role,
}

/// Every row placed, usernames still to check against the store.
#[derive(Debug, Clone)]
pub struct Resolved {
    units: Vec<NewUnit>,
    accounts: Vec<PendingAccount>,
    units_found: usize,
}

/// The tree as the sheet is read: the units there and those planned.
struct Places<'a> {
    existing: HashMap<i64, &'a TreeUnit>,
    by_code: HashMap<String, i64>,
    /// (parent, folded name or alias) → unit.
    children: HashMap<(UnitRef, String), UnitRef>,
    root: &'a TreeUnit,
    new: Vec<NewUnit>,
}

impl<'a> Places<'a> {
    fn new(root: &'a TreeUnit, units: &'a [TreeUnit]) -> Places<'a> {
        let mut places = Places {
            existing: HashMap::new(),
            by_code: HashMap::new(),
            children: HashMap::new(),
            root,
            new: Vec::new(),
        };
        for u in std::iter::once(root).chain(units) {
            places.existing.insert(u.id, u);
            if let Some(code) = &u.code {
                places.by_code.insert(search_key(code), u.id);
            }
            if let Some(parent) = u.parent_id {
                for name in std::iter::once(&u.name).chain(&u.aliases) {
                    places
                        .children
                        .entry((UnitRef::Existing(parent), search_key(name)))
                        .or_insert(UnitRef::Existing(u.id));
                }
            }
        }
        places
    }

    fn kind(&self, r: UnitRef) -> UnitKind {
        match r {
            UnitRef::Existing(id) => self.existing.get(&id).map_or(UnitKind::Other, |u| u.kind),
            UnitRef::New(i) => self.new.get(i).map_or(UnitKind::Other, |u| u.kind),
        }
    }

    fn name(&self, r: UnitRef) -> &str {
        match r {
            UnitRef::Existing(id) => self.existing.get(&id).map_or("", |u| u.name.as_str()),
            UnitRef::New(i) => self.new.get(i).map_or("", |u| u.name.as_str()),
        }
    }

    fn parent(&self, r: UnitRef) -> Option<UnitRef> {
        match r {
            UnitRef::Existing(id) => self
                .existing
                .get(&id)
                .and_then(|u| u.parent_id)
                .filter(|p| self.existing.contains_key(p))
                .map(UnitRef::Existing),
            UnitRef::New(i) => self.new.get(i).map(|u| u.parent),
        }
    }

    fn names_match(&self, r: UnitRef, name: &str) -> bool {
        let key = search_key(name);
        match r {
            UnitRef::Existing(id) => self.existing.get(&id).is_some_and(|u| {
                std::iter::once(&u.name)
                    .chain(&u.aliases)
                    .any(|n| search_key(n) == key)
            }),
            UnitRef::New(i) => self.new.get(i).is_some_and(|u| search_key(&u.name) == key),
        }
    }

    /// The child of `parent` with this name, created when missing.
    fn child(
        &mut self,
        row: usize,
        parent: UnitRef,
        name: &str,
        kind: Option<UnitKind>,
    ) -> Result<UnitRef, RowProblem> {
        let name = normalize_spaces(name);
        let key = search_key(&name);
        if key.is_empty() {
            return Err(RowProblem::new(row, "Tên đơn vị không được để trống"));
        }
        if let Some(found) = self.children.get(&(parent, key.clone())) {
            return Ok(*found);
        }
        if name.chars().count() > 300 {
            return Err(RowProblem::new(
                row,
                format!("Tên đơn vị «{name}» quá dài (tối đa 300 ký tự)"),
            ));
        }
        let parent_kind = self.kind(parent);
        let kind = kind.unwrap_or_else(|| guess_kind(&name, parent_kind));
        if !kind.may_sit_under(Some(parent_kind)) {
            return Err(RowProblem::new(
                row,
                format!(
                    "Không thể tạo «{name}» ({}) trực thuộc «{}» ({})",
                    kind.label_vi(),
                    self.name(parent),
                    parent_kind.label_vi()
                ),
            ));
        }
        let created = UnitRef::New(self.new.len());
        self.new.push(NewUnit {
            row,
            parent,
            kind,
            side: guess_side(&name, kind),
            name,
        });
        self.children.insert((parent, key), created);
        Ok(created)
    }
}

/// A row's cells by column.
struct Cells<'a> {
    columns: &'a [Option<Column>],
    line: &'a SheetLine,
}

impl Cells<'_> {
    fn get(&self, column: Column) -> Option<String> {
        let i = self.columns.iter().position(|c| *c == Some(column))?;
        let text = normalize_spaces(self.line.cells.get(i)?);
        (!text.is_empty()).then_some(text)
    }

    fn is_blank(&self) -> bool {
        self.line.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// Places every row of the sheet (the first non-blank line is the header)
/// under `root`, whose subtree is `units`. Every bad row is reported.
pub fn resolve(
    lines: &[SheetLine],
    root: &TreeUnit,
    units: &[TreeUnit],
) -> Result<Resolved, Vec<RowProblem>> {
    let mut lines = lines
        .iter()
        .filter(|l| l.cells.iter().any(|c| !c.trim().is_empty()));
    let Some(header) = lines.next() else {
        return Err(vec![RowProblem::new(
            0,
            "Bảng tính trống: không có dòng nào",
        )]);
    };
    let columns = read_header(header).map_err(|p| vec![p])?;
    let mut places = Places::new(root, units);
    let mut accounts: Vec<PendingAccount> = Vec::new();
    let mut problems = Vec::new();
    let mut given: HashMap<String, usize> = HashMap::new();
    let mut units_found = 0;
    let mut count = 0;
    for line in lines {
        let cells = Cells {
            columns: &columns,
            line,
        };
        if cells.is_blank() {
            continue;
        }
        count += 1;
        if count > MAX_ROWS {
            return Err(vec![RowProblem::new(
                line.row,
                format!("Bảng tính có quá {MAX_ROWS} dòng; hãy chia thành nhiều tệp"),
            )]);
        }
        let before = places.new.len();
        match read_row(&cells, &mut places, &mut given) {
            Ok(account) => {
                if places.new.len() == before {
                    units_found += 1;
                }
                accounts.extend(account);
            }
            Err(p) => problems.push(p),
        }
    }
    if count == 0 && problems.is_empty() {
        problems.push(RowProblem::new(
            header.row,
            "Bảng tính chỉ có dòng tiêu đề, không có dòng dữ liệu nào",
        ));
    }
    if problems.is_empty() {
        Ok(Resolved {
            units: places.new,
            accounts,
            units_found,
        })
    } else {
        Err(problems)
    }
}

/// One row: its unit (found or planned) and its account, if any.
fn read_row(
    cells: &Cells<'_>,
    places: &mut Places<'_>,
    given: &mut HashMap<String, usize>,
) -> Result<Option<PendingAccount>, RowProblem> {
    let row = cells.line.row;
    let kind =
        match cells.get(Column::Kind) {
            Some(text) => Some(parse_kind(&text).ok_or_else(|| {
                RowProblem::new(row, format!("Loại đơn vị «{text}» không hợp lệ"))
            })?),
            None => None,
        };
    let account = read_account(cells)?;
    let unit = place_row(cells, places, kind)?;
    let Some((full_name, username, role, email, phone)) = account else {
        return Ok(None);
    };
    let profile = Profile::parse(&full_name, email.as_deref(), phone.as_deref())
        .map_err(|e| RowProblem::new(row, e.to_string()))?;
    let username = match username {
        Some(text) => {
            let name = parse_username(&text).map_err(|e| RowProblem::new(row, e.to_string()))?;
            if let Some(first) = given.insert(name.clone(), row) {
                return Err(RowProblem::new(
                    row,
                    format!("Tên đăng nhập «{name}» trùng với dòng {first}"),
                ));
            }
            Wanted::Given(name)
        }
        None => Wanted::Base(username_base(&profile.full_name, places, unit)),
    };
    Ok(Some(PendingAccount {
        row,
        unit,
        username,
        profile,
        role,
    }))
}

type AccountCells = (String, Option<String>, Role, Option<String>, Option<String>);

fn read_account(cells: &Cells<'_>) -> Result<Option<AccountCells>, RowProblem> {
    let row = cells.line.row;
    let full_name = cells.get(Column::FullName);
    let username = cells.get(Column::Username);
    let role = cells.get(Column::Role);
    let email = cells.get(Column::Email);
    let phone = cells.get(Column::Phone);
    let Some(full_name) = full_name else {
        if username.is_some() || role.is_some() || email.is_some() || phone.is_some() {
            return Err(RowProblem::new(row, "Thiếu họ tên của tài khoản"));
        }
        return Ok(None);
    };
    let role_text = role.ok_or_else(|| RowProblem::new(row, "Thiếu vai trò của tài khoản"))?;
    let role = parse_role(&role_text).ok_or_else(|| {
        RowProblem::new(
            row,
            format!(
                "Vai trò «{role_text}» không hợp lệ (dùng: Quản trị, Lãnh đạo, Đầu mối, \
                 Cán bộ báo cáo, Người xem, Kiểm tra)"
            ),
        )
    })?;
    Ok(Some((full_name, username, role, email, phone)))
}

/// The unit a row names, found or planned.
fn place_row(
    cells: &Cells<'_>,
    places: &mut Places<'_>,
    kind: Option<UnitKind>,
) -> Result<UnitRef, RowProblem> {
    let row = cells.line.row;
    let name = cells.get(Column::Unit);
    let place = cells.get(Column::Place).and_then(|p| Place::parse(&p));
    let root = UnitRef::Existing(places.root.id);
    let (start, mut rest) = match place {
        Some(Place::Code(code)) => {
            let id = places
                .by_code
                .get(&search_key(&code))
                .copied()
                .ok_or_else(|| {
                    RowProblem::new(
                        row,
                        format!("Không có đơn vị mang mã «{code}» trong phạm vi quản trị của bạn"),
                    )
                })?;
            (UnitRef::Existing(id), Vec::new())
        }
        Some(Place::Path(parts)) => {
            if places.names_match(root, &parts[0]) {
                (root, parts[1..].to_vec())
            } else {
                (root, parts)
            }
        }
        None => {
            if name.is_none() {
                return Err(RowProblem::new(
                    row,
                    "Thiếu đơn vị: ghi tên đơn vị, mã hoặc đường dẫn",
                ));
            }
            (root, Vec::new())
        }
    };
    if let Some(name) = name {
        let already = match rest.last() {
            Some(l) => search_key(l) == search_key(&name),
            None => places.names_match(start, &name),
        };
        if !already {
            rest.push(name);
        }
    }
    let mut current = start;
    let n = rest.len();
    for (i, part) in rest.iter().enumerate() {
        let k = if i + 1 == n { kind } else { None };
        current = places.child(row, current, part, k)?;
    }
    Ok(current)
}

/// `<given name><initials>.<unit>` in plain ASCII: `annv.tanphong` for
/// Nguyễn Văn An on Xã Tân Phong, `annv.pvhxh.tanphong` on its Phòng Văn
/// hóa - Xã hội; at most 60 characters (a number may be added).
fn username_base(full_name: &str, places: &Places<'_>, unit: UnitRef) -> String {
    let words: Vec<String> = search_key(full_name)
        .split(' ')
        .map(ascii_only)
        .filter(|w| !w.is_empty())
        .collect();
    let mut person = words.last().cloned().unwrap_or_else(|| "canbo".into());
    for w in &words[..words.len().saturating_sub(1)] {
        person.extend(w.chars().next());
    }
    let mut parts = vec![person];
    let mut at = unit;
    let mut guard = 0;
    while !places.kind(at).is_level() && guard < 8 {
        parts.push(initials(places.name(at)));
        match places.parent(at) {
            Some(p) => at = p,
            None => break,
        }
        guard += 1;
    }
    if places.kind(at).is_level() {
        parts.push(level_slug(places.name(at)));
    }
    let mut base = parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .take(3)
        .collect::<Vec<_>>()
        .join(".");
    base.truncate(60);
    base.trim_end_matches('.').to_string()
}

fn ascii_only(word: &str) -> String {
    word.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

fn initials(name: &str) -> String {
    search_key(name)
        .split(' ')
        .filter_map(|w| ascii_only(w).chars().next())
        .take(8)
        .collect()
}

/// `tanphong` for Xã Tân Phong, `sonlam` for Tỉnh Sơn Lâm.
fn level_slug(name: &str) -> String {
    let key = search_key(name);
    let mut rest = key.as_str();
    for prefix in [
        "xa ",
        "phuong ",
        "dac khu ",
        "thi tran ",
        "tinh ",
        "thanh pho ",
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    let slug: String = rest.split(' ').map(ascii_only).collect();
    slug.chars().take(24).collect()
}

impl Resolved {
    /// The usernames the store must say are taken or not: those given and
    /// the bases to generate from.
    pub fn wanted_usernames(&self) -> Vec<String> {
        self.accounts
            .iter()
            .map(|a| match &a.username {
                Wanted::Given(u) | Wanted::Base(u) => u.clone(),
            })
            .collect()
    }

    /// The bases whose numbered variants (`base2`, …) the store must check
    /// too, because the base itself is taken.
    pub fn bases_taken(&self, taken: &HashSet<String>) -> Vec<String> {
        self.accounts
            .iter()
            .filter_map(|a| match &a.username {
                Wanted::Base(b) if taken.contains(b) => Some(b.clone()),
                _ => None,
            })
            .collect()
    }

    /// Picks a free username for every account (`base`, `base2`, …) and
    /// refuses a given one already taken.
    pub fn finish(self, taken: &HashSet<String>) -> Result<Valid<OnboardPlan>, Vec<RowProblem>> {
        let mut used: HashSet<String> = self
            .accounts
            .iter()
            .filter_map(|a| match &a.username {
                Wanted::Given(u) => Some(u.clone()),
                Wanted::Base(_) => None,
            })
            .collect();
        let mut problems = Vec::new();
        let mut accounts = Vec::with_capacity(self.accounts.len());
        for a in self.accounts {
            let username = match a.username {
                Wanted::Given(u) => {
                    if taken.contains(&u) {
                        problems.push(RowProblem::new(
                            a.row,
                            format!("Tên đăng nhập «{u}» đã có người dùng"),
                        ));
                        continue;
                    }
                    u
                }
                Wanted::Base(base) => {
                    let mut candidate = base.clone();
                    let mut n = 1;
                    while taken.contains(&candidate) || used.contains(&candidate) {
                        n += 1;
                        candidate = format!("{base}{n}");
                    }
                    used.insert(candidate.clone());
                    candidate
                }
            };
            accounts.push(NewAccount {
                row: a.row,
                unit: a.unit,
                username,
                profile: a.profile,
                role: a.role,
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Valid::new(OnboardPlan {
            units: self.units,
            accounts,
            units_found: self.units_found,
        }))
    }
}

/// Whether the folded names are the same unit's (for the template).
pub fn same_name(a: &str, b: &str) -> bool {
    fold_vietnamese(a) == fold_vietnamese(b) || search_key(a) == search_key(b)
}

#[cfg(test)]
#[path = "onboarding_tests.rs"]
mod tests;
