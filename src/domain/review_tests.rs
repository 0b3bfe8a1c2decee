use super::*;

fn year(y: i32) -> ReportingPeriod {
    ReportingPeriod::year(y).expect("year")
}

fn month(y: i32, m: u32) -> ReportingPeriod {
    ReportingPeriod::month(y, m).expect("month")
}

fn figure(round_id: i64, period: ReportingPeriod, value: Option<f64>) -> AcceptedFigure {
    AcceptedFigure {
        round_id,
        period,
        target_id: 7,
        value,
        nothing_this_period: value.is_none(),
    }
}

fn done(round_id: i64, period: ReportingPeriod, task_id: i64) -> AcceptedTask {
    AcceptedTask {
        round_id,
        period,
        task_id,
        leads: true,
        status: Some(TaskStatus::Done),
        percent: Some(100),
        result: Some("Xong".into()),
        nothing_this_period: false,
    }
}

#[test]
fn kinds_are_read_from_the_url_with_their_quarter_or_half() {
    assert_eq!(
        ReviewKind::parse("quarter", Some(2), None),
        Ok(ReviewKind::Quarter(2))
    );
    assert_eq!(
        ReviewKind::parse("quarter", None, None),
        Err(ReviewError::Quarter)
    );
    assert_eq!(
        ReviewKind::parse("half_year", None, None),
        Ok(ReviewKind::HalfYear(1))
    );
    assert_eq!(
        ReviewKind::parse("half_year", None, Some(3)),
        Err(ReviewError::Half)
    );
    assert!(matches!(
        ReviewKind::parse("decade", None, None),
        Err(ReviewError::Kind(_))
    ));
}

#[test]
fn each_review_is_cut_into_its_columns() {
    let q = ReviewSpan::new(ReviewKind::Quarter(2), 2027).expect("quarter");
    let keys: Vec<String> = q.columns.iter().map(ReportingPeriod::key).collect();
    assert_eq!(keys, ["2027-04", "2027-05", "2027-06"]);
    assert_eq!(q.label_vi(), "quý II năm 2027");
    let h = ReviewSpan::new(ReviewKind::HalfYear(1), 2026).expect("half");
    assert_eq!(h.columns.len(), 2);
    assert_eq!(
        ReviewSpan::new(ReviewKind::Year, 2026)
            .expect("year")
            .columns
            .len(),
        4
    );
    let mid = ReviewSpan::new(ReviewKind::MidTerm, 0).expect("mid");
    assert_eq!(mid.end_year(), MID_TERM_END);
    assert_eq!(mid.label_vi(), "giai đoạn 2026 - 2028");
    let end = ReviewSpan::new(ReviewKind::EndOfTerm, 0).expect("end");
    assert_eq!(end.columns.len(), 5);
    assert_eq!(
        ReviewSpan::new(ReviewKind::Year, 2031),
        Err(ReviewError::Year)
    );
}

#[test]
fn a_count_adds_up_over_the_term_and_a_missing_year_is_missing_not_zero() {
    let span = ReviewSpan::new(ReviewKind::EndOfTerm, 0).expect("span");
    // 2026 in months (3 + 4), 2027 by its yearly round (months ignored under
    // it), nothing at all for 2028, "nothing this period" in 2029, 12 in 2030.
    let items = vec![
        figure(1, month(2026, 3), Some(3.0)),
        figure(2, month(2026, 9), Some(4.0)),
        figure(3, month(2027, 2), Some(1.0)),
        figure(4, year(2027), Some(6.0)),
        figure(5, year(2029), None),
        figure(6, year(2030), Some(12.0)),
    ];
    let review = review_targets(&span, &[(7, Accumulation::Sum)], &items);
    let t = &review[0];
    assert_eq!(
        t.cells,
        [
            FigureCell::Value(7.0),
            FigureCell::Value(6.0),
            FigureCell::Missing,
            FigureCell::Nothing,
            FigureCell::Value(12.0),
        ]
    );
    let sum: f64 = t
        .cells
        .iter()
        .filter_map(|c| match c {
            FigureCell::Value(v) => Some(*v),
            _ => None,
        })
        .sum();
    assert_eq!(t.total, Some(sum));
    assert_eq!(t.total, Some(25.0));
    assert_eq!(t.missing, [2]);
}

#[test]
fn a_level_shows_its_latest_figure_not_a_sum() {
    let span = ReviewSpan::new(ReviewKind::EndOfTerm, 0).expect("span");
    let items = vec![
        figure(1, month(2026, 6), Some(80.0)),
        figure(2, month(2026, 12), Some(85.0)),
        figure(3, year(2027), Some(90.0)),
    ];
    let review = review_targets(&span, &[(7, Accumulation::Latest)], &items);
    assert_eq!(review[0].cells[0], FigureCell::Value(85.0));
    assert_eq!(review[0].total, Some(90.0));
    assert_eq!(review[0].missing, [2, 3, 4]);
}

#[test]
fn a_target_without_any_figure_has_no_total() {
    let span = ReviewSpan::new(ReviewKind::Year, 2026).expect("span");
    let review = review_targets(&span, &[(7, Accumulation::Sum)], &[]);
    assert_eq!(review[0].total, None);
    assert_eq!(review[0].missing, [0, 1, 2, 3]);
}

#[test]
fn a_task_completes_once_in_the_first_column_saying_done() {
    let span = ReviewSpan::new(ReviewKind::EndOfTerm, 0).expect("span");
    let mut progress = done(1, month(2026, 5), 1);
    progress.status = Some(TaskStatus::InProgress);
    progress.percent = Some(40);
    let items = vec![
        progress,
        done(2, month(2027, 3), 1),
        // Said done again the next year: not counted twice.
        done(3, month(2028, 3), 1),
        done(4, year(2026), 2),
        done(5, year(2030), 3),
        // Outside the span: left out.
        done(6, year(2031), 4),
    ];
    let tasks = review_tasks(&span, &[1, 2, 3, 4], &items);
    assert_eq!(tasks[0].done_in, Some(1));
    assert_eq!(
        tasks[0].cells[0],
        TaskCell::Reported {
            status: Some(TaskStatus::InProgress),
            percent: Some(40)
        }
    );
    assert_eq!(tasks[0].cells[3], TaskCell::Missing);
    assert_eq!(tasks[3].done_in, None);
    assert_eq!(tasks[3].last, None);
    let per_column = completed_per_column(&span, &tasks);
    assert_eq!(per_column, [1, 1, 0, 0, 1]);
    let completed = tasks.iter().filter(|t| t.done_in.is_some()).count();
    assert_eq!(per_column.iter().sum::<usize>(), completed);
}

#[test]
fn the_lead_units_word_shows_over_a_supporting_units() {
    let span = ReviewSpan::new(ReviewKind::Quarter(1), 2026).expect("span");
    let mut support = done(1, month(2026, 1), 1);
    support.leads = false;
    let mut lead = done(1, month(2026, 1), 1);
    lead.status = Some(TaskStatus::InProgress);
    let tasks = review_tasks(&span, &[1], &[lead, support]);
    assert_eq!(
        tasks[0].cells[0],
        TaskCell::Reported {
            status: Some(TaskStatus::InProgress),
            percent: Some(100)
        }
    );
}

#[test]
fn units_of_measure_say_whether_figures_add_up() {
    assert_eq!(Accumulation::of_unit(Some("Sáng kiến")), Accumulation::Sum);
    assert_eq!(Accumulation::of_unit(Some("lượt")), Accumulation::Sum);
    assert_eq!(
        Accumulation::of_unit(Some("% dân số")),
        Accumulation::Latest
    );
    assert_eq!(Accumulation::of_unit(Some("Điểm")), Accumulation::Latest);
    assert_eq!(Accumulation::of_unit(Some("Thứ bậc")), Accumulation::Latest);
    assert_eq!(Accumulation::of_unit(None), Accumulation::Latest);
}
