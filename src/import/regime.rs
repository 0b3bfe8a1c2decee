//! The reporting regime: which periods units report for, and the days of
//! the month by which units report and the focal office consolidates
//! ("trước ngày 15 hằng tháng" … "tham mưu báo cáo … trước ngày 18 hằng
//! tháng").

use super::model::Reporting;
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

/// "trước ngày N hằng tháng": the consolidation deadline when the words
/// before it speak of consolidating or advising ("tổng hợp", "tham mưu"),
/// otherwise the units' own deadline.
fn read_due_days(s: &str, reporting: &mut Reporting) {
    let mut from = 0;
    while let Some(pos) = s[from..].find("truoc ngay ") {
        let start = from + pos;
        let after = &s[start + "truoc ngay ".len()..];
        from = start + "truoc ngay ".len();
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let rest = after[digits.len()..].trim_start();
        let monthly = rest.starts_with("hang thang") || rest.starts_with("moi thang");
        let Ok(day) = digits.parse::<u32>() else {
            continue;
        };
        if !monthly || !(1..=31).contains(&day) {
            continue;
        }
        let before = &s[..start];
        let consolidating = before.contains("tong hop") || before.contains("tham muu");
        if consolidating {
            reporting.consolidated_due_day.get_or_insert(day);
        } else {
            reporting.unit_due_day.get_or_insert(day);
        }
        if !reporting.periods.contains(&PeriodKind::Monthly) {
            reporting.periods.push(PeriodKind::Monthly);
        }
    }
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
    fn sentences_without_reports_are_ignored() {
        let r = read_reporting(&["Tổ chức họp giao ban định kỳ hằng quý."]);
        assert!(r.periods.is_empty());
    }
}
