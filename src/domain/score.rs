//! The emulation score ("điểm thi đua") of a unit: one number out of 100,
//! built so every point can be traced back to a count people recognise.
//!
//! - **Nhiệm vụ, 40 điểm:** tasks done on time count 1, tasks done late
//!   count ½, divided by the tasks due.
//! - **Chỉ tiêu, 30 điểm:** targets meeting their goal, divided by the
//!   targets that have a goal.
//! - **Báo cáo, 30 điểm:** 20 × the share of expected reports sent on time
//!   plus 10 × the share received at all.
//!
//! A part with nothing to measure (no task due, no target with a goal, no
//! report expected) is not held against the unit: its weight is shared out
//! over the other parts in proportion to their weights. With nothing to
//! measure at all the total is 0. The total is rounded to one decimal.
//!
//! Counts come from other modules and may be inconsistent (more tasks done
//! than due after a late edit); negative counts are read as 0 and every
//! rate is capped to 0–1, so the score always stays within 0–100.

use serde::Serialize;

use crate::domain::status::format_vi;

/// The counts a unit's score is computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ScoreInputs {
    pub tasks_due: i64,
    pub tasks_done_on_time: i64,
    pub tasks_done_late: i64,
    pub targets_with_goal: i64,
    pub targets_met: i64,
    pub reports_expected: i64,
    pub reports_on_time: i64,
    pub reports_late: i64,
}

/// One part of the score, with how it was obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScorePart {
    pub key: &'static str,
    pub label_vi: &'static str,
    /// Points this part is worth after redistribution (0 when it has no
    /// data); the weights of the parts always add up to 100 or to 0.
    pub weight: f64,
    /// Achievement, 0–1.
    pub rate: f64,
    /// `weight × rate`, unrounded so the parts add up to the total exactly.
    pub points: f64,
    pub explain_vi: String,
}

/// A unit's score and its parts, in the order tasks, targets, reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// 0–100, rounded to 0.1.
    pub total: f64,
    pub parts: Vec<ScorePart>,
}

/// Nominal weights; they add up to 100.
const TASKS_WEIGHT: f64 = 40.0;
const TARGETS_WEIGHT: f64 = 30.0;
const REPORTS_WEIGHT: f64 = 30.0;
/// Within the reporting part: on time counts 20, received counts 10.
const REPORTS_ON_TIME_POINTS: f64 = 20.0;
const REPORTS_RECEIVED_POINTS: f64 = 10.0;

/// The formula as shown on the pages and in the README.
pub const FORMULA_VI: &str = "Điểm thi đua (tối đa 100 điểm) gồm ba phần:\n\
- Nhiệm vụ (40 điểm): 40 × (số nhiệm vụ hoàn thành đúng hạn + 0,5 × số nhiệm vụ hoàn thành quá hạn) / số nhiệm vụ đến hạn.\n\
- Chỉ tiêu (30 điểm): 30 × số chỉ tiêu đạt / số chỉ tiêu có mục tiêu.\n\
- Báo cáo (30 điểm): 20 × số báo cáo đúng hạn / số báo cáo phải nộp + 10 × số báo cáo đã nhận / số báo cáo phải nộp.\n\
Phần nào không có gì để đánh giá (không có nhiệm vụ đến hạn, chỉ tiêu có mục tiêu hoặc báo cáo phải nộp) thì không bị trừ điểm: \
trọng số của phần đó được chia cho các phần còn lại theo tỷ lệ trọng số của chúng. \
Nếu không phần nào có dữ liệu thì điểm bằng 0. Tổng điểm làm tròn đến một chữ số thập phân.";

/// A part before redistribution: `None` when it has nothing to measure.
struct RawPart {
    key: &'static str,
    label_vi: &'static str,
    weight: f64,
    rate: Option<f64>,
    explain_vi: String,
}

/// Computes the score (see the module documentation for the formula).
pub fn score(i: &ScoreInputs) -> Score {
    let raw = [tasks_part(i), targets_part(i), reports_part(i)];
    let measured: f64 = raw
        .iter()
        .filter(|p| p.rate.is_some())
        .map(|p| p.weight)
        .sum();
    // Scale so the measured parts share all 100 points.
    let scale = if measured > 0.0 {
        100.0 / measured
    } else {
        0.0
    };
    let parts: Vec<ScorePart> = raw
        .into_iter()
        .map(|p| {
            let weight = if p.rate.is_some() {
                p.weight * scale
            } else {
                0.0
            };
            let rate = p.rate.unwrap_or(0.0);
            ScorePart {
                key: p.key,
                label_vi: p.label_vi,
                weight,
                rate,
                points: weight * rate,
                explain_vi: p.explain_vi,
            }
        })
        .collect();
    let total: f64 = parts.iter().map(|p| p.points).sum();
    Score {
        total: ((total * 10.0).round() / 10.0).clamp(0.0, 100.0),
        parts,
    }
}

fn tasks_part(i: &ScoreInputs) -> RawPart {
    let due = i.tasks_due.max(0);
    let on_time = i.tasks_done_on_time.max(0);
    let late = i.tasks_done_late.max(0);
    let (rate, explain_vi) = if due == 0 {
        (
            None,
            "Không có nhiệm vụ đến hạn: không tính, trọng số chia cho các phần khác".to_string(),
        )
    } else {
        let rate = share(on_time as f64 + 0.5 * late as f64, due);
        let mut text = format!("{on_time}/{due} nhiệm vụ đến hạn hoàn thành đúng hạn");
        if late > 0 {
            text.push_str(&format!(", {late} hoàn thành quá hạn (tính 0,5)"));
        }
        (Some(rate), text)
    };
    RawPart {
        key: "tasks",
        label_vi: "Nhiệm vụ",
        weight: TASKS_WEIGHT,
        rate,
        explain_vi,
    }
}

fn targets_part(i: &ScoreInputs) -> RawPart {
    let with_goal = i.targets_with_goal.max(0);
    let met = i.targets_met.max(0);
    let (rate, explain_vi) = if with_goal == 0 {
        (
            None,
            "Không có chỉ tiêu có mục tiêu: không tính, trọng số chia cho các phần khác"
                .to_string(),
        )
    } else {
        (
            Some(share(met as f64, with_goal)),
            format!("{met}/{with_goal} chỉ tiêu đạt mục tiêu"),
        )
    };
    RawPart {
        key: "targets",
        label_vi: "Chỉ tiêu",
        weight: TARGETS_WEIGHT,
        rate,
        explain_vi,
    }
}

fn reports_part(i: &ScoreInputs) -> RawPart {
    let expected = i.reports_expected.max(0);
    let on_time = i.reports_on_time.max(0);
    let received = on_time.saturating_add(i.reports_late.max(0));
    let (rate, explain_vi) = if expected == 0 {
        (
            None,
            "Không có báo cáo phải nộp: không tính, trọng số chia cho các phần khác".to_string(),
        )
    } else {
        let on_time_share = share(on_time as f64, expected);
        let received_share = share(received as f64, expected);
        let points =
            REPORTS_ON_TIME_POINTS * on_time_share + REPORTS_RECEIVED_POINTS * received_share;
        (
            Some(points / REPORTS_WEIGHT),
            format!(
                "{on_time}/{expected} báo cáo nộp đúng hạn, {received}/{expected} báo cáo đã nhận \
                 (20 × {} + 10 × {})",
                format_vi(on_time_share),
                format_vi(received_share)
            ),
        )
    };
    RawPart {
        key: "reports",
        label_vi: "Báo cáo",
        weight: REPORTS_WEIGHT,
        rate,
        explain_vi,
    }
}

/// `part / whole` capped to 0–1; `whole` is positive here.
fn share(part: f64, whole: i64) -> f64 {
    (part / whole as f64).clamp(0.0, 1.0)
}

/// Ranks scores, highest first. Equal scores share a rank and the next
/// rank skips (1, 2, 2, 4); among equals the input order is kept. A NaN
/// score ranks below every number.
pub fn rank<K: Clone>(scores: &[(K, f64)]) -> Vec<(K, u32)> {
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    let mut order: Vec<&(K, f64)> = scores.iter().collect();
    // A stable sort keeps the input order among equal scores.
    order.sort_by(|a, b| key(b.1).total_cmp(&key(a.1)));
    let mut ranked = Vec::with_capacity(order.len());
    let mut current = 0_u32;
    let mut previous: Option<f64> = None;
    for (position, (k, v)) in order.into_iter().enumerate() {
        let v = key(*v);
        // `==` rather than total_cmp so that 0.0 and -0.0 tie.
        if previous != Some(v) {
            current = u32::try_from(position + 1).unwrap_or(u32::MAX);
            previous = Some(v);
        }
        ranked.push((k.clone(), current));
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(t: (i64, i64, i64), g: (i64, i64), r: (i64, i64, i64)) -> ScoreInputs {
        ScoreInputs {
            tasks_due: t.0,
            tasks_done_on_time: t.1,
            tasks_done_late: t.2,
            targets_with_goal: g.0,
            targets_met: g.1,
            reports_expected: r.0,
            reports_on_time: r.1,
            reports_late: r.2,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn worked_example() {
        let s = score(&inputs((10, 7, 2), (5, 3), (4, 3, 1)));
        assert_eq!(s.total, 75.0);
        let points: Vec<f64> = s.parts.iter().map(|p| p.points).collect();
        assert!(
            close(points[0], 32.0) && close(points[1], 18.0) && close(points[2], 25.0),
            "{points:?}"
        );
        let keys: Vec<&str> = s.parts.iter().map(|p| p.key).collect();
        assert_eq!(keys, ["tasks", "targets", "reports"]);
        assert!(close(s.parts[0].rate, 0.8) && close(s.parts[1].rate, 0.6));
        assert_eq!(s.parts[0].weight, 40.0);
        assert_eq!(
            s.parts[0].explain_vi,
            "7/10 nhiệm vụ đến hạn hoàn thành đúng hạn, 2 hoàn thành quá hạn (tính 0,5)"
        );
        assert_eq!(s.parts[1].explain_vi, "3/5 chỉ tiêu đạt mục tiêu");
        assert_eq!(
            s.parts[2].explain_vi,
            "3/4 báo cáo nộp đúng hạn, 4/4 báo cáo đã nhận (20 × 0,75 + 10 × 1)"
        );
    }

    #[test]
    fn perfect_and_empty_units() {
        assert_eq!(score(&inputs((3, 3, 0), (2, 2), (1, 1, 0))).total, 100.0);
        let nothing = score(&ScoreInputs::default());
        assert_eq!(nothing.total, 0.0);
        assert!(
            nothing
                .parts
                .iter()
                .all(|p| p.weight == 0.0 && p.points == 0.0)
        );
        assert_eq!(nothing.parts.len(), 3);
    }

    #[test]
    fn a_part_without_data_is_redistributed() {
        // No targets: tasks get 40/70 of 100, reports 30/70.
        let s = score(&inputs((10, 7, 2), (0, 0), (4, 3, 1)));
        assert!(close(s.parts[0].weight, 400.0 / 7.0));
        assert_eq!(s.parts[1].weight, 0.0);
        assert!(close(s.parts[2].weight, 300.0 / 7.0));
        // 0.8 × 57.14 + 0.8333 × 42.86 = 45.71 + 35.71 = 81.43 → 81.4
        assert_eq!(s.total, 81.4);
        assert!(s.parts[1].explain_vi.starts_with("Không có chỉ tiêu"));
        let weights: f64 = s.parts.iter().map(|p| p.weight).sum();
        assert!(close(weights, 100.0));
        // Only reports: the reporting rate is the whole score.
        assert_eq!(score(&inputs((0, 0, 0), (0, 0), (4, 2, 1))).total, 58.3);
    }

    #[test]
    fn inconsistent_counts_stay_within_bounds() {
        let s = score(&inputs((2, 5, 5), (1, 3), (1, 4, 4)));
        assert_eq!(s.total, 100.0);
        let s = score(&inputs(
            (-3, -1, 0),
            (2, -1),
            (i64::MAX, i64::MAX, i64::MAX),
        ));
        assert!((0.0..=100.0).contains(&s.total));
        assert_eq!(s.parts[0].weight, 0.0);
    }

    #[test]
    fn ranks_share_ties_and_skip() {
        let ranked = rank(&[
            ("a", 70.0),
            ("b", 90.0),
            ("c", 80.0),
            ("d", 80.0),
            ("e", 60.0),
        ]);
        assert_eq!(ranked, [("b", 1), ("c", 2), ("d", 2), ("a", 4), ("e", 5)]);
        // Ties keep the input order.
        let ranked = rank(&[("y", 50.0), ("x", 50.0), ("z", 50.0)]);
        assert_eq!(ranked, [("y", 1), ("x", 1), ("z", 1)]);
        assert!(rank::<&str>(&[]).is_empty());
        let ranked = rank(&[(1, f64::NAN), (2, 10.0), (3, 0.0), (4, -0.0)]);
        assert_eq!(ranked, [(2, 1), (3, 2), (4, 2), (1, 4)]);
    }

    #[test]
    fn formula_mentions_every_weight() {
        for needle in ["40", "30", "20 ×", "10 ×", "0,5"] {
            assert!(FORMULA_VI.contains(needle), "{needle}");
        }
        let json =
            serde_json::to_value(score(&inputs((1, 1, 0), (0, 0), (0, 0, 0)))).expect("json");
        assert_eq!(json["total"], 100.0);
        assert_eq!(json["parts"][0]["label_vi"], "Nhiệm vụ");
    }
}
