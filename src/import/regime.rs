//! The reporting regime: which periods units report for, and the days of
//! the month by which units report and the focal office consolidates
//! ("trước ngày 15 hằng tháng" … "tham mưu báo cáo … trước ngày 18 hằng
//! tháng").

use super::model::{ReportDeadline, Reporting};
use crate::domain::period::PeriodKind;
use crate::domain::text::fold_vietnamese;

/// Reads the regime from the paragraphs of "Tổ chức thực hiện".
pub fn read_reporting(paras: &[&str]) -> Reporting {
    let mut reporting = Reporting::default();
    for text in paras {
        let folded = fold_vietnamese(text);
        for sentence in folded.split(". ") {
            if !(sentence.contains("bao cao") || sentence.contains("so ket")) {
                continue;
            }
            for kind in periods_in(sentence) {
                if !reporting.periods.contains(&kind) {
                    reporting.periods.push(kind);
                }
            }
            read_due_days(sentence, &mut reporting);
        }
    }
    reporting.periods.sort();
    reporting
}

/// Period words of one (folded) sentence.
fn periods_in(s: &str) -> Vec<PeriodKind> {
    let mut kinds = Vec::new();
    let has_any = |words: &[&str]| words.iter().any(|w| contains_phrase(s, w));
    if has_any(&["hang thang", "moi thang", "tung thang"]) {
        kinds.push(PeriodKind::Monthly);
    }
    if has_any(&[
        "hang quy", "3 thang", "ba thang", "quy,", "quy;", "moi quy", "tung quy",
    ]) {
        kinds.push(PeriodKind::Quarterly);
    }
    if has_any(&["6 thang", "06 thang", "sau thang", "nua nam"]) {
        kinds.push(PeriodKind::HalfYearly);
    }
    if has_any(&["9 thang", "09 thang", "chin thang"]) {
        kinds.push(PeriodKind::NineMonths);
    }
    if has_any(&[
        "hang nam",
        "1 nam",
        "01 nam",
        "mot nam",
        "thang, nam",
        "thang, 1 nam",
        "tong ket nam",
    ]) {
        kinds.push(PeriodKind::Yearly);
    }
    if has_any(&["dot xuat"]) {
        kinds.push(PeriodKind::AdHoc);
    }
    kinds
}

/// `phrase` at word boundaries in `s` ("3 thang" not inside "13 thang").
fn contains_phrase(s: &str, phrase: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = s[from..].find(phrase) {
        let start = from + pos;
        let end = start + phrase.len();
        let before_ok = s[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = phrase.ends_with([',', ';'])
            || s[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

/// "trước ngày N hằng tháng", "trước ngày 25/11 hằng năm", "6 tháng
/// (trước ngày 15/6)": a deadline of the consolidating office when the
/// words before it speak of consolidating or advising ("tổng hợp", "tham
/// mưu"), otherwise the units' own deadline. The period is the one named
/// right after the date, else the nearest one before it; a day and month
/// with no period named is a yearly date.
fn read_due_days(s: &str, reporting: &mut Reporting) {
    let mut from = 0;
    while let Some(pos) = s[from..].find("truoc ngay ") {
        let start = from + pos;
        let after = &s[start + "truoc ngay ".len()..];
        from = start + "truoc ngay ".len();
        let token: String = after
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '/')
            .collect();
        let mut parts = token.split('/');
        let Some(Ok(day)) = parts.next().map(str::parse::<u32>) else {
            continue;
        };
        let month = parts.next().and_then(|m| m.parse::<u32>().ok());
        if !(1..=31).contains(&day) || month.is_some_and(|m| !(1..=12).contains(&m)) {
            continue;
        }
        let rest = after[token.len()..].trim_start();
        let before = &s[..start];
        let Some(period) = period_after(rest)
            .or_else(|| period_before(before))
            .or(month.map(|_| PeriodKind::Yearly))
        else {
            continue;
        };
        let consolidating = before.contains("tong hop") || before.contains("tham muu");
        if period == PeriodKind::Monthly && month.is_none() {
            let slot = if consolidating {
                &mut reporting.consolidated_due_day
            } else {
                &mut reporting.unit_due_day
            };
            slot.get_or_insert(day);
        }
        if !reporting.periods.contains(&period) {
            reporting.periods.push(period);
        }
        let deadline = ReportDeadline {
            period,
            day,
            month,
            consolidating,
        };
        if !reporting.deadlines.contains(&deadline) {
            reporting.deadlines.push(deadline);
        }
    }
}

/// The period named right after a date ("… hằng tháng", "… hằng năm").
fn period_after(rest: &str) -> Option<PeriodKind> {
    let rest = rest.trim_start_matches([')', ',', ' ']);
    [
        ("hang thang", PeriodKind::Monthly),
        ("moi thang", PeriodKind::Monthly),
        ("hang quy", PeriodKind::Quarterly),
        ("hang nam", PeriodKind::Yearly),
        ("moi nam", PeriodKind::Yearly),
        ("cua nam", PeriodKind::Yearly),
    ]
    .iter()
    .find(|(w, _)| rest.starts_with(w))
    .map(|(_, k)| *k)
}

/// The period named nearest before a date, within the same clause
/// ("6 tháng (trước ngày 15/6)", "báo cáo năm trước ngày …").
fn period_before(before: &str) -> Option<PeriodKind> {
    let clause_start = before.rfind([';', ':']).map_or(0, |i| i + 1);
    let clause = &before[clause_start..];
    let tail_start = clause.char_indices().rev().nth(30).map_or(0, |(i, _)| i);
    let tail = &clause[tail_start..];
    [
        ("6 thang", PeriodKind::HalfYearly),
        ("06 thang", PeriodKind::HalfYearly),
        ("9 thang", PeriodKind::NineMonths),
        ("hang quy", PeriodKind::Quarterly),
        ("hang thang", PeriodKind::Monthly),
        ("hang nam", PeriodKind::Yearly),
        ("nam", PeriodKind::Yearly),
    ]
    .iter()
    .filter_map(|(w, k)| tail.rfind(w).map(|p| (p, *k)))
    .max_by_key(|(p, _)| *p)
    .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monthly_unit_and_consolidation_days_are_told_apart() {
        let r = read_reporting(&[
            "Thực hiện chế độ báo cáo định kỳ hằng tháng gửi về UBND xã trước ngày 15 hằng tháng (qua phòng Văn hoá) để tổng hợp chung.",
            "Thực hiện chế độ báo cáo định kỳ hàng tháng, tổng hợp kết quả; tham mưu báo cáo của UBND xã trước ngày 18 hằng tháng.",
        ]);
        assert_eq!(r.periods, vec![PeriodKind::Monthly]);
        assert_eq!(r.unit_due_day, Some(15));
        assert_eq!(r.consolidated_due_day, Some(18));
    }

    #[test]
    fn listed_periods_and_ad_hoc_reports_are_read() {
        let r = read_reporting(&[
            "Các cơ quan định kỳ hàng tháng, 3 tháng, 6 tháng, 1 năm báo cáo kết quả gửi về Ban Chỉ đạo.",
            "Tham mưu báo cáo tiến độ định kỳ hoặc đột xuất.",
        ]);
        assert_eq!(
            r.periods,
            vec![
                PeriodKind::Monthly,
                PeriodKind::Quarterly,
                PeriodKind::HalfYearly,
                PeriodKind::Yearly,
                PeriodKind::AdHoc
            ]
        );
        assert_eq!(r.unit_due_day, None);
    }

    #[test]
    fn yearly_and_half_yearly_dates_are_read_with_who_consolidates() {
        let r = read_reporting(&[
            "Các sở, ngành định kỳ báo cáo kết quả thực hiện trước ngày 25/11 hằng năm; Sở Khoa học và Công nghệ tổng hợp, báo cáo UBND tỉnh trước ngày 05/12 hằng năm.",
        ]);
        assert_eq!(r.periods, vec![PeriodKind::Yearly]);
        assert_eq!(
            r.deadlines,
            vec![
                ReportDeadline {
                    period: PeriodKind::Yearly,
                    day: 25,
                    month: Some(11),
                    consolidating: false
                },
                ReportDeadline {
                    period: PeriodKind::Yearly,
                    day: 5,
                    month: Some(12),
                    consolidating: true
                }
            ]
        );
        let r = read_reporting(&[
            "Định kỳ báo cáo 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12) gửi Sở Nội vụ.",
        ]);
        assert_eq!(r.periods, vec![PeriodKind::HalfYearly, PeriodKind::Yearly]);
        let dates: Vec<(PeriodKind, u32, Option<u32>)> = r
            .deadlines
            .iter()
            .map(|d| (d.period, d.day, d.month))
            .collect();
        assert_eq!(
            dates,
            [
                (PeriodKind::HalfYearly, 15, Some(6)),
                (PeriodKind::Yearly, 15, Some(12))
            ]
        );
        assert_eq!(r.unit_due_day, None);
    }

    #[test]
    fn yearly_and_half_yearly_periods_are_read_without_a_day() {
        let r = read_reporting(&["Định kỳ 6 tháng, hằng năm báo cáo kết quả về UBND xã."]);
        assert_eq!(r.periods, vec![PeriodKind::HalfYearly, PeriodKind::Yearly]);
        assert!(r.deadlines.is_empty());
    }

    #[test]
    fn sentences_without_reports_are_ignored() {
        let r = read_reporting(&["Tổ chức họp giao ban định kỳ hằng quý."]);
        assert!(r.periods.is_empty());
    }
}
