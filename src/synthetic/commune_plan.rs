//! One commune planned in memory before it is emitted as rows: its units,
//! plan, tasks and targets (rows written at once), and what the units will
//! report on each, month by month (`reporting.rs` writes that).

use super::*;

pub(super) struct TaskPlan {
    pub(super) id: i64,
    pub(super) lead: usize,
    pub(super) live: bool,
    pub(super) deadline: Deadline,
    /// The one-off due date the lead unit plans its work toward.
    pub(super) due: Option<NaiveDate>,
    /// Month whose report is the last on time for the deadline.
    pub(super) due_month: Option<i64>,
    pub(super) start: i64,
    pub(super) finish: Option<i64>,
    pub(super) suspend_at: Option<i64>,
    pub(super) reason: &'static str,
    /// The accepted updates so far, oldest first: what the task rule
    /// judges the task by, as the store does from its rows.
    pub(super) updates: Vec<AcceptedUpdate>,
}

impl TaskPlan {
    /// What the lead unit reports in month `m`: status, percent, result,
    /// suspension reason.
    pub(super) fn report(
        &self,
        m: i64,
    ) -> (
        TaskStatus,
        Option<i64>,
        Option<&'static str>,
        Option<&'static str>,
    ) {
        let percent_at = |m: i64| -> i64 {
            match self.finish {
                Some(f) if f > self.start => {
                    let p = 10 + 85 * (m - self.start) / (f - self.start);
                    (p / 5 * 5).clamp(5, 95)
                }
                Some(_) => 50,
                None => (10 + 5 * (m - self.start)).clamp(5, 90),
            }
        };
        if let Some(s) = self.suspend_at
            && m >= s
        {
            return (
                TaskStatus::Suspended,
                Some(percent_at(s)),
                None,
                Some(self.reason),
            );
        }
        if let Some(f) = self.finish
            && m >= f
        {
            let late = self.due_month.is_some_and(|d| f > d);
            let status = if late {
                TaskStatus::DoneLate
            } else {
                TaskStatus::Done
            };
            return (status, Some(100), Some("Đã hoàn thành"), None);
        }
        if m >= self.start {
            if self.due.is_none() {
                return (TaskStatus::InProgress, None, None, None);
            }
            return (TaskStatus::InProgress, Some(percent_at(m)), None, None);
        }
        (TaskStatus::NotStarted, Some(0), None, None)
    }
}

pub(super) struct TargetPlan {
    pub(super) id: i64,
    pub(super) lead: usize,
    pub(super) template: usize,
    pub(super) goals: Vec<Goal>,
    pub(super) base: f64,
    pub(super) slope: f64,
    pub(super) spread: f64,
    /// Latest accepted non-null value, by the year of its round.
    pub(super) latest: BTreeMap<i32, f64>,
}

impl TargetPlan {
    pub(super) fn value(&self, m: i64, rng: &mut Rng) -> Option<f64> {
        // About one figure in a hundred is left empty ("chưa có số liệu").
        if rng.chance(0.01) {
            return None;
        }
        let t = &TARGETS[self.template];
        let v = (self.base + self.slope * m as f64 + self.spread * rng.noise())
            .clamp(t.bounds.0, t.bounds.1);
        Some(if t.whole {
            v.round()
        } else {
            (v * 10.0).round() / 10.0
        })
    }
}

/// The commune being generated: its ids and what has been planned.
pub(super) struct Commune {
    pub(super) province_id: i64,
    pub(super) commune_id: i64,
    pub(super) plan_id: i64,
    pub(super) units: Vec<i64>,
    pub(super) tasks: Vec<TaskPlan>,
    pub(super) targets: Vec<TargetPlan>,
    pub(super) rng: Rng,
}

/// How a unit's report of a round ended.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Outcome {
    Accepted,
    Submitted,
    Returned,
    Draft,
    Pending,
}

impl Outcome {
    /// Most reports of past rounds are accepted; the newest round is still
    /// being typed, and the load test saves into it.
    pub(super) fn draw(rng: &mut Rng, newest_round: bool) -> Outcome {
        if newest_round {
            return if rng.chance(0.7) {
                Outcome::Draft
            } else {
                Outcome::Pending
            };
        }
        let r = rng.unit();
        if r < 0.95 {
            Outcome::Accepted
        } else if r < 0.965 {
            Outcome::Submitted
        } else if r < 0.975 {
            Outcome::Returned
        } else {
            Outcome::Pending
        }
    }

    pub(super) fn was_submitted(self) -> bool {
        matches!(
            self,
            Outcome::Accepted | Outcome::Submitted | Outcome::Returned
        )
    }

    /// The stored status and the reviewer's comment.
    pub(super) fn status(self) -> (&'static str, Option<&'static str>) {
        match self {
            Outcome::Accepted => ("accepted", None),
            Outcome::Submitted => ("submitted", None),
            Outcome::Returned => ("returned", Some("Đề nghị bổ sung minh chứng")),
            Outcome::Draft => ("draft", None),
            Outcome::Pending => ("pending", None),
        }
    }

    /// The report's version: one more for each save, submission and review.
    pub(super) fn version(self) -> i64 {
        match self {
            Outcome::Pending => 1,
            Outcome::Draft => 2,
            Outcome::Submitted => 3,
            Outcome::Accepted | Outcome::Returned => 4,
        }
    }
}

/// The ids of the commune being planned, for the rows of its plan.
struct Place<'a> {
    province_id: i64,
    commune_id: i64,
    plan_id: i64,
    units: &'a CommuneUnits,
}

/// The commune's ten reporting units: ids and names, in [`WORKING_UNITS`]
/// order.
struct CommuneUnits {
    ids: Vec<i64>,
    names: Vec<String>,
}

impl Generator<'_> {
    /// Plans a commune: its units, plan, tasks and targets, emitted now;
    /// its reporting comes later, in `emit_commune`.
    pub(super) fn commune(
        &mut self,
        nation_id: i64,
        province_id: i64,
        naming: &CommuneNaming,
        index: u64,
    ) -> Commune {
        let mut rng = Rng::new(
            self.options
                .seed
                .wrapping_add((index + 1).wrapping_mul(0xD1B5_4A32_D192_ED03)),
        );
        let commune_id = self.ids.next(T_UNITS);
        // Drawn for official communes too, so the rest of the stream is
        // the same whichever names are used.
        let prefix = if rng.chance(0.15) { "Phường" } else { "Xã" };
        let (name, short, official) = match naming {
            CommuneNaming::Synthetic { p, c } => {
                let short = commune_short(*p, *c);
                (format!("{prefix} {short}"), short, None)
            }
            CommuneNaming::Official { name, official } => (
                name.clone(),
                short_name(name, official.official_type),
                Some(official),
            ),
        };
        let commune_path = format!("/{nation_id}/{province_id}/{commune_id}/");
        let ids = (province_id, commune_id);
        let units = self.emit_units(ids, &commune_path, (&name, &short), official);
        let plan_id = self.emit_plan(province_id, commune_id, &name, &short, &mut rng);
        let place = Place {
            province_id,
            commune_id,
            plan_id,
            units: &units,
        };
        // Leads rotate so each unit leads six tasks and four targets, and
        // every unit reports every month.
        let rotation = rng.below(UNITS_PER_COMMUNE as u64) as usize;
        let tasks = (0..TASKS_PER_COMMUNE)
            .map(|i| self.plan_task(&place, i, (i + rotation) % UNITS_PER_COMMUNE, &mut rng))
            .collect();
        let targets = (0..TARGETS_PER_COMMUNE)
            .map(|i| self.plan_target(&place, i, (i + rotation) % UNITS_PER_COMMUNE, &mut rng))
            .collect();
        Commune {
            province_id,
            commune_id,
            plan_id,
            units: units.ids,
            tasks,
            targets,
            rng,
        }
    }

    /// The commune's unit and its ten reporting units beneath it.
    fn emit_units(
        &mut self,
        (province_id, commune_id): (i64, i64),
        commune_path: &str,
        (name, short): (&str, &str),
        official: Option<&Official>,
    ) -> CommuneUnits {
        let at = self.created_at;
        self.push(
            T_UNITS,
            unit_row(
                commune_id,
                Some(province_id),
                "commune",
                name,
                "government",
                commune_path,
                Some(province_id),
                Some(commune_id),
                official,
                at,
            ),
        );
        let mut units = CommuneUnits {
            ids: Vec::with_capacity(UNITS_PER_COMMUNE),
            names: Vec::with_capacity(UNITS_PER_COMMUNE),
        };
        for (kind, side, base) in WORKING_UNITS {
            let id = self.ids.next(T_UNITS);
            let unit_name = if kind == "school" {
                format!("{base} {short}")
            } else {
                base.to_string()
            };
            self.push(
                T_UNITS,
                unit_row(
                    id,
                    Some(commune_id),
                    kind,
                    &unit_name,
                    side,
                    &format!("{commune_path}{id}/"),
                    Some(province_id),
                    Some(commune_id),
                    None,
                    at,
                ),
            );
            units.ids.push(id);
            units.names.push(unit_name);
        }
        units
    }

    /// The commune's Resolution 57 plan.
    fn emit_plan(
        &mut self,
        province_id: i64,
        commune_id: i64,
        name: &str,
        short: &str,
        rng: &mut Rng,
    ) -> i64 {
        let plan_id = self.ids.next(T_PLANS);
        let at = self.created_at;
        let title = format!(
            "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW trên địa bàn {name} giai đoạn 2026 - 2030"
        );
        self.push(
            T_PLANS,
            vec![
                int(plan_id),
                int(province_id),
                int(commune_id),
                int(commune_id),
                text(format!("{}/KH-UBND", 10 + rng.below(90))),
                text(format!("{FIRST_YEAR}-01-05")),
                text(short),
                text(title.clone()),
                text(search_key(&title)),
                text("Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị"),
                text(self.regime.periods_text()),
                opt_int(self.regime.unit_due_day.map(i64::from)),
                opt_int(self.regime.consolidated_due_day.map(i64::from)),
                BulkValue::Null,
                int(at),
                int(at),
                int(1),
            ],
        );
        plan_id
    }

    /// Task `i` of the plan, led by unit `lead`: its rows, and when the
    /// lead unit will start, finish or suspend it.
    fn plan_task(&mut self, place: &Place, i: usize, lead: usize, rng: &mut Rng) -> TaskPlan {
        let id = self.ids.next(T_TASKS);
        let dtext = deadline_text(rng);
        let parsed = self.deadlines.get(&dtext);
        let live = !rng.chance(0.005);
        self.emit_task(place, id, i, &dtext, &parsed, live, rng);
        self.emit_task_units(place, id, lead, rng);
        let due_month = parsed.due.map(month_index);
        let (start, finish) = match due_month {
            Some(dm) => {
                let start = rng.below(dm.max(1) as u64) as i64;
                let r = rng.unit();
                let finish = if r < 0.65 {
                    Some(start + rng.below((dm - start).max(0) as u64 + 1) as i64)
                } else if r < 0.85 {
                    Some(dm.max(start) + 1 + rng.below(12) as i64)
                } else {
                    None
                };
                (start, finish)
            }
            None => (rng.below(6) as i64, None),
        };
        let suspend_at = rng.chance(0.03).then(|| start + 1 + rng.below(12) as i64);
        TaskPlan {
            id,
            lead,
            live,
            deadline: parsed.deadline,
            due: parsed.due,
            due_month,
            start,
            finish,
            suspend_at,
            reason: SUSPEND_REASONS[rng.below(SUSPEND_REASONS.len() as u64) as usize],
            updates: Vec::new(),
        }
    }

    /// The task's row; one in two is funded by the commune.
    #[allow(clippy::too_many_arguments)]
    fn emit_task(
        &mut self,
        place: &Place,
        id: i64,
        i: usize,
        dtext: &str,
        parsed: &ParsedDeadline,
        live: bool,
        rng: &mut Rng,
    ) {
        let group = i * GROUPS.len() / TASKS_PER_COMMUNE;
        let base = TASK_TITLES[i % TASK_TITLES.len()];
        let title = match parsed.end {
            Some(end) if i >= TASK_TITLES.len() => format!("{base} năm {}", end.year()),
            _ if i >= TASK_TITLES.len() => format!("{base} (duy trì)"),
            _ => base.to_string(),
        };
        let at = self.created_at;
        self.push(
            T_TASKS,
            vec![
                int(id),
                int(place.plan_id),
                int(place.province_id),
                int(place.commune_id),
                text(format!(
                    "{}.{}",
                    group + 1,
                    i % (TASKS_PER_COMMUNE / GROUPS.len()) + 1
                )),
                text(GROUPS[group]),
                int(i as i64 + 1),
                text(title.clone()),
                text(search_key(&title)),
                BulkValue::Null,
                text(dtext),
                text(parsed.kind),
                opt_text(parsed.start.map(date_text).as_deref()),
                opt_text(parsed.end.map(date_text).as_deref()),
                text(if rng.chance(0.5) {
                    "Ngân sách xã"
                } else {
                    "Ngân sách tỉnh hỗ trợ"
                }),
                BulkValue::Null,
                BulkValue::Null,
                int(0),
                int(at),
                int(at),
                int(1),
                if live {
                    BulkValue::Null
                } else {
                    text("Không còn phù hợp sau sắp xếp đơn vị hành chính")
                },
            ],
        );
    }

    /// The task's lead unit, and in one task of two a supporting unit.
    fn emit_task_units(&mut self, place: &Place, task_id: i64, lead: usize, rng: &mut Rng) {
        let mut roles = vec![("lead", lead)];
        if rng.chance(0.5) {
            let support =
                (lead + 1 + rng.below(UNITS_PER_COMMUNE as u64 - 1) as usize) % UNITS_PER_COMMUNE;
            roles.push(("support", support));
        }
        for (role, unit) in roles {
            let tu = self.ids.next(T_TASK_UNITS);
            self.push(
                T_TASK_UNITS,
                vec![
                    int(tu),
                    int(task_id),
                    int(place.province_id),
                    int(place.commune_id),
                    text(role),
                    int(0),
                    text(place.units.names[unit].clone()),
                    int(place.units.ids[unit]),
                ],
            );
        }
    }

    /// Target `i` of the plan, led by unit `lead`: its rows, its goals, and
    /// the trend its figures will follow.
    fn plan_target(&mut self, place: &Place, i: usize, lead: usize, rng: &mut Rng) -> TargetPlan {
        let id = self.ids.next(T_TARGETS);
        let template = i % TARGETS.len();
        let t = &TARGETS[template];
        self.emit_target(place, id, i, t, lead);
        // Most targets have goals for 2026 and 2030; some only for 2030.
        let mut goals = Vec::new();
        if rng.chance(0.85) {
            goals.push((FIRST_YEAR, t.goal_2026));
        }
        goals.push((2030, t.goal_2030));
        let goals: Vec<Goal> = goals
            .into_iter()
            .map(|(year, value)| Goal {
                year: Some(year),
                op: t.op,
                value,
                text: goal_text(t.op, value, t.unit),
            })
            .collect();
        self.emit_goals(place, id, &goals);
        // Three in four targets move toward the 2030 goal at about the
        // planned pace; the rest drift, some the wrong way.
        let base = rng.between(t.start.0, t.start.1);
        let planned = (t.goal_2030 - base) / 60.0;
        let slope = if rng.chance(0.75) {
            planned * rng.between(0.7, 1.4)
        } else {
            planned * rng.between(-0.5, 0.5)
        };
        let spread = (t.bounds.1 - t.bounds.0) * 0.004 + (t.goal_2030 - base).abs() * 0.02;
        TargetPlan {
            id,
            lead,
            template,
            goals,
            base,
            slope,
            spread,
            latest: BTreeMap::new(),
        }
    }

    /// The target's row and its lead unit.
    fn emit_target(&mut self, place: &Place, id: i64, i: usize, t: &TargetTemplate, lead: usize) {
        let name = if i >= TARGETS.len() {
            format!("{} (khu vực nông thôn)", t.name)
        } else {
            t.name.to_string()
        };
        let direction = match t.op {
            Comparator::Le | Comparator::Lt | Comparator::Top => "lower_is_better",
            _ => "higher_is_better",
        };
        let at = self.created_at;
        self.push(
            T_TARGETS,
            vec![
                int(id),
                int(place.plan_id),
                int(place.province_id),
                int(place.commune_id),
                text(format!("{}", i + 1)),
                text("Chỉ tiêu đến năm 2026 và 2030"),
                int(i as i64 + 1),
                text(name.clone()),
                text(search_key(&name)),
                text(t.unit),
                text(direction),
                BulkValue::Null,
                int(at),
                int(at),
                int(1),
            ],
        );
        let gu = self.ids.next(T_TARGET_UNITS);
        self.push(
            T_TARGET_UNITS,
            vec![
                int(gu),
                int(id),
                int(place.province_id),
                int(place.commune_id),
                int(0),
                text(place.units.names[lead].clone()),
                int(place.units.ids[lead]),
            ],
        );
    }

    fn emit_goals(&mut self, place: &Place, target_id: i64, goals: &[Goal]) {
        for (pos, g) in goals.iter().enumerate() {
            self.push(
                T_TARGET_GOALS,
                vec![
                    int(target_id),
                    int(place.province_id),
                    int(place.commune_id),
                    int(pos as i64),
                    opt_int(g.year.map(i64::from)),
                    text(comparator_text(g.op)),
                    BulkValue::Real(g.value),
                    text(g.text.clone()),
                ],
            );
        }
    }
}
