//! A planned commune's reporting, month by month: each round, each unit's
//! report with its task updates and target figures; then the facts and
//! counters the store would have computed from them. The counters come
//! from the same domain rules as the store's (`domain::rollup`,
//! `domain::status`), fed with the same records in the same order.

use super::*;

/// A round being written.
struct RoundPlan {
    id: i64,
    /// Units' due date: the bucket of the round's report counters, and the
    /// date a task update speaks for.
    due: NaiveDate,
    opened: i64,
}

/// One unit's report in a round.
struct ReportPlan {
    id: i64,
    /// Index of the unit in the commune.
    unit: usize,
    outcome: Outcome,
    first_submitted_at: Option<i64>,
    reviewed_at: Option<i64>,
    /// When its items were last saved.
    typed_at: i64,
}

impl ReportPlan {
    /// When the report was accepted, dated by its first submission, the
    /// time the task rule judges timeliness by.
    fn accepted_sent_at(&self) -> Option<i64> {
        self.first_submitted_at
            .filter(|_| self.outcome == Outcome::Accepted)
    }
}

impl Generator<'_> {
    /// A province and its communes, each written as soon as it is planned;
    /// returns the province's counters.
    pub(super) async fn emit_province(
        &mut self,
        nation_id: i64,
        province: &ProvincePlan,
    ) -> anyhow::Result<Counts> {
        let province_id = self.ids.next(T_UNITS);
        self.push(
            T_UNITS,
            unit_row(
                province_id,
                Some(nation_id),
                "province",
                &province.name,
                "government",
                &format!("/{nation_id}/{province_id}/"),
                Some(province_id),
                None,
                province.official.as_ref(),
                self.created_at,
            ),
        );
        let mut province_counts = Counts::default();
        for naming in &province.communes {
            // Synthetic communes are numbered across provinces as before:
            // province p's commune c is p × communes_per_province + c.
            let index = self.communes;
            self.communes += 1;
            let commune = self.commune(nation_id, province_id, naming, index);
            let commune_id = commune.commune_id;
            let counts = self.emit_commune(commune);
            self.emit_level(commune_id, Some(province_id), &counts);
            province_counts.merge(&counts);
            self.flush_if_full().await?;
        }
        self.emit_level(province_id, Some(nation_id), &province_counts);
        Ok(province_counts)
    }

    /// The reporting months of a commune, then its facts; returns the
    /// commune's counters.
    fn emit_commune(&mut self, mut c: Commune) -> Counts {
        let mut counts = Counts::default();
        let months = i64::from(self.options.months);
        for m in 0..months {
            let year = FIRST_YEAR + (m / 12) as i32;
            let Some(period) = ReportingPeriod::month(year, (m % 12) as u32 + 1) else {
                continue;
            };
            let round = self.emit_round(&c, &period);
            for u in 0..UNITS_PER_COMMUNE {
                let report = self.emit_report(&mut c, &round, u, m == months - 1);
                // Counters of the report itself, as the store counts a
                // round opened and a report first sent.
                counts.add(report_expected(round.due), 1);
                if let Some(at) = report.first_submitted_at {
                    counts.add(report_received(round.due, at), 1);
                }
                if report.outcome != Outcome::Pending {
                    self.emit_task_updates(&mut c, &round, &report, m);
                    self.emit_target_figures(&mut c, &round, &report, m);
                }
            }
        }
        self.emit_task_facts(&c, &mut counts);
        self.emit_target_facts(&c, &mut counts);
        counts
    }

    fn emit_round(&mut self, c: &Commune, period: &ReportingPeriod) -> RoundPlan {
        let round = RoundPlan {
            id: self.ids.next(T_ROUNDS),
            due: self.regime.unit_due_date(period),
            opened: vn_ms(period.start(), 7 * 60),
        };
        let consolidated_due = self.regime.consolidated_due_date(period);
        self.push(
            T_ROUNDS,
            vec![
                int(round.id),
                int(c.plan_id),
                int(c.province_id),
                int(c.commune_id),
                text(period.key()),
                text(period.kind().as_str()),
                BulkValue::Null,
                text(date_text(round.due)),
                text(date_text(consolidated_due)),
                BulkValue::Null,
                int(round.opened),
            ],
        );
        round
    }

    /// Unit `u`'s report of a round: how it ended, when it was sent and
    /// reviewed, and its row.
    fn emit_report(
        &mut self,
        c: &mut Commune,
        round: &RoundPlan,
        u: usize,
        newest_round: bool,
    ) -> ReportPlan {
        let rng = &mut c.rng;
        let outcome = Outcome::draw(rng, newest_round);
        let first_submitted_at = outcome.was_submitted().then(|| {
            // Four in five on time, in the week before the due date; the
            // rest up to twelve days late; in office hours either way.
            let day = if rng.chance(0.8) {
                round.due - chrono::Duration::days(rng.below(7) as i64)
            } else {
                round.due + chrono::Duration::days(1 + rng.below(12) as i64)
            };
            vn_ms(day, 7 * 60 + rng.below(10 * 60) as i64)
        });
        let reviewed_at = match outcome {
            Outcome::Accepted | Outcome::Returned => {
                first_submitted_at.map(|at| at + (1 + rng.below(72) as i64) * 3_600_000)
            }
            _ => None,
        };
        let report = ReportPlan {
            id: self.ids.next(T_REPORTS),
            unit: u,
            outcome,
            first_submitted_at,
            reviewed_at,
            typed_at: first_submitted_at
                .map(|at| at - 20 * 60_000)
                .unwrap_or_else(|| vn_ms(round.due - chrono::Duration::days(2), 15 * 60)),
        };
        let row = self.report_row(c, round, &report);
        self.push(T_REPORTS, row);
        report
    }

    fn report_row(&self, c: &mut Commune, round: &RoundPlan, r: &ReportPlan) -> Vec<BulkValue> {
        let (status, comment) = r.outcome.status();
        let has_content = r.outcome != Outcome::Pending;
        let difficulties = if has_content && c.rng.chance(0.3) {
            text("Thiếu kinh phí, nhân lực chuyên trách")
        } else {
            BulkValue::Null
        };
        let updated_at = r
            .reviewed_at
            .or(r.first_submitted_at)
            .unwrap_or(round.opened);
        vec![
            int(r.id),
            int(round.id),
            int(c.units[r.unit]),
            int(c.province_id),
            int(c.commune_id),
            text(status),
            difficulties,
            BulkValue::Null,
            opt_int(r.first_submitted_at),
            opt_int(r.first_submitted_at),
            BulkValue::Null,
            opt_int(r.reviewed_at),
            if r.reviewed_at.is_some() {
                int(self.admin_id)
            } else {
                BulkValue::Null
            },
            opt_text(comment),
            int(round.opened),
            int(updated_at),
            int(r.outcome.version()),
        ]
    }

    /// What the report says of each live task its unit leads in month `m`;
    /// an accepted one joins the task's history.
    fn emit_task_updates(&mut self, c: &mut Commune, round: &RoundPlan, r: &ReportPlan, m: i64) {
        for t in c.tasks.iter_mut().filter(|t| t.lead == r.unit && t.live) {
            let (status, percent, result, reason) = t.report(m);
            let id = self.ids.next(T_TASK_UPDATES);
            self.push(
                T_TASK_UPDATES,
                vec![
                    int(id),
                    int(r.id),
                    int(t.id),
                    int(c.province_id),
                    int(c.commune_id),
                    text(status.as_str()),
                    opt_int(percent),
                    opt_text(result),
                    opt_text(reason),
                    BulkValue::Null,
                    int(r.typed_at),
                    BulkValue::Null,
                    int(1),
                ],
            );
            if let Some(at) = r.accepted_sent_at() {
                t.updates.push(AcceptedUpdate {
                    status,
                    round_due_on: round.due,
                    first_submitted_at: Some(at),
                });
            }
        }
    }

    /// The figure of each target the report's unit leads in month `m`.
    fn emit_target_figures(&mut self, c: &mut Commune, round: &RoundPlan, r: &ReportPlan, m: i64) {
        for g in c.targets.iter_mut().filter(|g| g.lead == r.unit) {
            let value = g.value(m, &mut c.rng);
            let id = self.ids.next(T_FIGURES);
            self.push(
                T_FIGURES,
                vec![
                    int(id),
                    int(r.id),
                    int(g.id),
                    int(c.province_id),
                    int(c.commune_id),
                    opt_real(value),
                    if c.rng.chance(0.1) {
                        text("Thống kê của đơn vị")
                    } else {
                        BulkValue::Null
                    },
                    BulkValue::Null,
                    int(r.typed_at),
                    BulkValue::Null,
                    int(1),
                ],
            );
            // The store reads figures by the year of the round's due date.
            if r.accepted_sent_at().is_some()
                && let Some(v) = value
            {
                g.latest.insert(round.due.year(), v);
            }
        }
    }

    /// Each task's fact by the task rule, on the day the store would
    /// compute it, and what it adds to the counters.
    fn emit_task_facts(&mut self, c: &Commune, counts: &mut Counts) {
        let today = vietnam_date(self.now);
        for t in &c.tasks {
            let fact = TaskFact::of(t.live, &t.deadline, &t.updates, today);
            for counter in fact.counters() {
                counts.add(counter, 1);
            }
            self.push(
                T_TASK_FACTS,
                vec![
                    int(t.id),
                    int(c.province_id),
                    int(c.commune_id),
                    int(i64::from(fact.live)),
                    opt_text(fact.due_on.map(date_text).as_deref()),
                    opt_text(fact.done.map(DoneTiming::as_str)),
                    opt_text(fact.status.map(TaskStatus::as_str)),
                    int(self.now),
                    opt_text(fact.last_update.map(|m| m.to_string()).as_deref()),
                    opt_text(fact.first_done.map(|m| m.to_string()).as_deref()),
                ],
            );
        }
    }

    /// Each target's state per goal year, from its latest accepted figure
    /// of that year, and what it adds to the counters.
    fn emit_target_facts(&mut self, c: &Commune, counts: &mut Counts) {
        for g in &c.targets {
            for goal in &g.goals {
                let Some(year) = goal.year else { continue };
                let value = g.latest.get(&year).copied();
                let state = goal_state(goal, value);
                counts.add(target_counter(state, year), 1);
                self.push(
                    T_TARGET_FACTS,
                    vec![
                        int(g.id),
                        int(i64::from(year)),
                        int(c.province_id),
                        int(c.commune_id),
                        text(state.as_str()),
                        opt_real(value),
                        int(self.now),
                    ],
                );
            }
        }
    }

    /// The rollup rows of one level unit, with its parent as the store's
    /// `levels` gives it; and its "as of" time, as the store stamps every
    /// level a change reached.
    pub(super) fn emit_level(&mut self, unit_id: i64, parent: Option<i64>, counts: &Counts) {
        if counts.is_empty() {
            return;
        }
        for (counter, value) in counts.iter() {
            self.push(
                T_ROLLUPS,
                vec![
                    int(unit_id),
                    opt_int(parent),
                    text(counter.metric().as_str()),
                    text(counter.bucket()),
                    int(value),
                ],
            );
        }
        let now = self.now;
        self.push(T_ROLLUP_TIMES, vec![int(unit_id), int(now)]);
    }
}
