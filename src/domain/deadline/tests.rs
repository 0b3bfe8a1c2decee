//! Tests of deadline parsing, due dates and the JSON contract, kept apart
//! from `deadline.rs` so the type reads without scrolling past them.

use super::*;
use serde_json::json;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn month(y: i32, m: u32) -> ReportingPeriod {
    ReportingPeriod::month(y, m).expect("valid month")
}

fn quarter(y: i32, q: u32) -> ReportingPeriod {
    ReportingPeriod::quarter(y, q).expect("valid quarter")
}

fn year(y: i32) -> ReportingPeriod {
    ReportingPeriod::year(y).expect("valid year")
}

/// Asserts kind, start and end of a parsed deadline.
fn check(text: &str, kind: DeadlineKind, start: Option<NaiveDate>, end: Option<NaiveDate>) {
    let d = Deadline::parse(text);
    assert_eq!(
        (d.kind(), d.start(), d.end()),
        (kind, start, end),
        "parsing {text:?}"
    );
    assert_eq!(d.text(), normalize_spaces(text));
}

fn one_off(text: &str, kind: DeadlineKind, start: NaiveDate, end: NaiveDate) {
    check(text, kind, Some(start), Some(end));
}

#[test]
fn every_deadline_in_the_seed_task_tables_parses() {
    use DeadlineKind::*;
    // 002: "Thời gian thực hiện" column.
    check("Thực hiện thường xuyên", Ongoing, None, None);
    one_off("Tháng 01/2026", Month, date(2026, 1, 1), date(2026, 1, 31));
    let periodic =
        Deadline::parse("Quý, 6 tháng, 9 tháng, năm; Sơ kết, tổng kết; Đột xuất khi có yêu cầu");
    assert_eq!(periodic.kind(), Periodic);
    // 004: "Thời gian hoàn thành" column.
    one_off("2025 - 2026", Range, date(2025, 1, 1), date(2026, 12, 31));
    check("Hàng năm", Yearly, None, None);
    check("Nhiệm vụ thường xuyên", Ongoing, None, None);
    check("Thường xuyên", Ongoing, None, None);
    one_off("Năm 2025", Year, date(2025, 1, 1), date(2025, 12, 31));
    one_off("Năm 2026", Year, date(2026, 1, 1), date(2026, 12, 31));
    check(
        "Năm 2025 và những năm tiếp theo",
        Yearly,
        Some(date(2025, 1, 1)),
        None,
    );
    check("Tháng 11 của năm trước", Yearly, None, None);
    for (text, y, m, last) in [
        ("Tháng 01/2026", 2026, 1, 31),
        ("Tháng 01/2027", 2027, 1, 31),
        ("Tháng 01/2029", 2029, 1, 31),
        ("Tháng 02/2026", 2026, 2, 28),
        ("Tháng 07/2025", 2025, 7, 31),
        ("Tháng 10/2025", 2025, 10, 31),
        ("Tháng 10/2027", 2027, 10, 31),
        ("Tháng 12/2025", 2025, 12, 31),
        ("Tháng 4/2026", 2026, 4, 30),
        ("Tháng 7/2025", 2025, 7, 31),
        ("Tháng 8/2025", 2025, 8, 31),
    ] {
        one_off(text, Month, date(y, m, 1), date(y, m, last));
    }
    // 003: dossier "Thời gian thực hiện" rows.
    one_off("Năm 2026", Year, date(2026, 1, 1), date(2026, 12, 31));
}

#[test]
fn month_forms_parse_to_the_whole_month() {
    for text in [
        "Tháng 7/2025",
        "Tháng 07/2025",
        "tháng 7 năm 2025",
        "07/2025",
        "T7/2025",
        "THÁNG 7-2025",
    ] {
        one_off(
            text,
            DeadlineKind::Month,
            date(2025, 7, 1),
            date(2025, 7, 31),
        );
    }
}

#[test]
fn quarter_forms_parse_to_the_whole_quarter() {
    for text in [
        "Quý III/2026",
        "Quý III năm 2026",
        "Quý 3/2026",
        "quý iii / 2026",
        "Q3/2026",
    ] {
        one_off(
            text,
            DeadlineKind::Quarter,
            date(2026, 7, 1),
            date(2026, 9, 30),
        );
    }
    one_off(
        "quý IV/2025",
        DeadlineKind::Quarter,
        date(2025, 10, 1),
        date(2025, 12, 31),
    );
}

#[test]
fn half_year_forms_parse_to_the_whole_half() {
    for text in ["6 tháng đầu năm 2026", "Sáu tháng đầu năm 2026"] {
        one_off(
            text,
            DeadlineKind::HalfYear,
            date(2026, 1, 1),
            date(2026, 6, 30),
        );
    }
    one_off(
        "6 tháng cuối năm 2026",
        DeadlineKind::HalfYear,
        date(2026, 7, 1),
        date(2026, 12, 31),
    );
}

#[test]
fn year_forms_parse_to_the_whole_year() {
    for text in [
        "Năm 2025",
        "2025",
        "Trong năm 2025",
        "năm 2025",
        "Năm 2025.",
        "Đến hết năm 2025",
    ] {
        one_off(
            text,
            DeadlineKind::Year,
            date(2025, 1, 1),
            date(2025, 12, 31),
        );
    }
}

#[test]
fn date_forms_parse_to_a_single_day() {
    let june_30 = date(2026, 6, 30);
    for text in [
        "trước ngày 30/6/2026",
        "Trước 30/6/2026",
        "30/06/2026",
        "30-6-2026",
        "30.6.2026",
        "ngày 30 tháng 6 năm 2026",
        "Chậm nhất ngày 30/6/2026",
        "2026-06-30",
    ] {
        one_off(text, DeadlineKind::Date, june_30, june_30);
    }
    one_off(
        "ngày 15/01/2026",
        DeadlineKind::Date,
        date(2026, 1, 15),
        date(2026, 1, 15),
    );
}

#[test]
fn range_forms_span_from_first_start_to_last_end() {
    use DeadlineKind::Range;
    for text in [
        "2026-2030",
        "2026 – 2030",
        "Giai đoạn 2026 - 2030",
        "Từ năm 2026 đến năm 2030",
        "2026—2030",
    ] {
        one_off(text, Range, date(2026, 1, 1), date(2030, 12, 31));
    }
    one_off("2025–2030", Range, date(2025, 1, 1), date(2030, 12, 31));
    one_off(
        "Quý IV/2025 - Quý II/2026",
        Range,
        date(2025, 10, 1),
        date(2026, 6, 30),
    );
    one_off(
        "Tháng 7/2025 - Tháng 12/2025",
        Range,
        date(2025, 7, 1),
        date(2025, 12, 31),
    );
    one_off(
        "Từ tháng 7/2025 đến tháng 12/2025",
        Range,
        date(2025, 7, 1),
        date(2025, 12, 31),
    );
    one_off(
        "01/7/2025 - 30-6-2026",
        Range,
        date(2025, 7, 1),
        date(2026, 6, 30),
    );
    one_off(
        "2025 - 2026 - 2027",
        Range,
        date(2025, 1, 1),
        date(2027, 12, 31),
    );
}

#[test]
fn reversed_ranges_are_unknown() {
    check("2030 - 2026", DeadlineKind::Unknown, None, None);
    check(
        "Tháng 12/2025 - Tháng 7/2025",
        DeadlineKind::Unknown,
        None,
        None,
    );
}

#[test]
fn ongoing_forms_parse_without_dates() {
    for text in [
        "Thường xuyên",
        "Nhiệm vụ thường xuyên",
        "Thực hiện thường xuyên",
        "Liên tục",
        "Thường xuyên, liên tục",
        "thuong xuyen",
    ] {
        check(text, DeadlineKind::Ongoing, None, None);
    }
}

#[test]
fn yearly_forms_remember_their_month_and_first_year() {
    for (text, m) in [
        ("Hàng năm", 12),
        ("Hằng năm", 12),
        ("Định kỳ hằng năm", 12),
        ("Tháng 11 của năm trước", 11),
        ("Tháng 11 hằng năm", 11),
    ] {
        let d = Deadline::parse(text);
        assert_eq!(
            (d.kind(), d.yearly_month(), d.start(), d.end()),
            (DeadlineKind::Yearly, Some(m), None, None),
            "{text}"
        );
    }
    let d = Deadline::parse("Năm 2025 và những năm tiếp theo");
    assert_eq!(d.yearly_month(), Some(12));
    assert_eq!(d.start(), Some(date(2025, 1, 1)));
    let d = Deadline::parse("Từ năm 2026 trở đi");
    assert_eq!(
        (d.kind(), d.start()),
        (DeadlineKind::Yearly, Some(date(2026, 1, 1)))
    );
}

#[test]
fn periodic_forms_list_their_period_kinds() {
    use PeriodKind::*;
    for (text, kinds) in [
        (
            "Quý, 6 tháng, 9 tháng, năm",
            vec![Quarterly, HalfYearly, NineMonths, Yearly],
        ),
        (
            "Quý, 6 tháng, 9 tháng, năm; Sơ kết, tổng kết; Đột xuất khi có yêu cầu",
            vec![Quarterly, HalfYearly, NineMonths, Yearly, AdHoc],
        ),
        ("Hằng quý", vec![Quarterly]),
        ("Định kỳ hằng tháng", vec![Monthly]),
        ("Hằng tháng", vec![Monthly]),
        ("6 tháng, 1 năm", vec![HalfYearly, Yearly]),
        ("6 tháng và năm", vec![HalfYearly, Yearly]),
    ] {
        let d = Deadline::parse(text);
        assert_eq!(d.kind(), DeadlineKind::Periodic, "{text}");
        assert_eq!(d.periodic_kinds(), kinds.as_slice(), "{text}");
        assert_eq!((d.start(), d.end()), (None, None));
    }
}

#[test]
fn unreadable_forms_keep_their_text_as_unknown() {
    for text in [
        "Theo tiến độ dự án",
        "",
        "Quý",
        "Năm",
        "Tháng 13/2025",
        "31/2/2026",
        "Sơ kết, tổng kết",
        "Đột xuất",
    ] {
        let d = Deadline::parse(text);
        assert_eq!(d.kind(), DeadlineKind::Unknown, "{text:?}");
        assert_eq!(d.text(), text);
        assert_eq!((d.start(), d.end(), d.final_due_date()), (None, None, None));
        assert!(d.periodic_kinds().is_empty());
    }
    assert_eq!(Deadline::parse("").label_vi(), "Chưa xác định");
}

#[test]
fn implausible_years_are_unknown() {
    for text in ["Năm 1899", "Năm 2201", "Tháng 7/9999", "9999999999999"] {
        assert_eq!(
            Deadline::parse(text).kind(),
            DeadlineKind::Unknown,
            "{text}"
        );
    }
}

#[test]
fn text_is_kept_verbatim_apart_from_spacing() {
    let d = Deadline::parse("  Tháng\u{00A0}7/2025 \n");
    assert_eq!(d.text(), "Tháng 7/2025");
    assert_eq!(d.label_vi(), "Tháng 7/2025");
    assert_eq!(d.to_string(), "Tháng 7/2025");
    let decomposed: String =
        unicode_normalization::UnicodeNormalization::nfd("Quý III/2026").collect();
    let d = Deadline::parse(&decomposed);
    assert_eq!(d.text(), "Quý III/2026");
    assert_eq!(d.kind(), DeadlineKind::Quarter);
}

#[test]
fn json_has_exactly_text_kind_start_and_end() {
    let cases = [
        (
            "Tháng 7/2025",
            json!({"text": "Tháng 7/2025", "kind": "month", "start": "2025-07-01", "end": "2025-07-31"}),
        ),
        (
            "Quý III/2026",
            json!({"text": "Quý III/2026", "kind": "quarter", "start": "2026-07-01", "end": "2026-09-30"}),
        ),
        (
            "6 tháng đầu năm 2026",
            json!({"text": "6 tháng đầu năm 2026", "kind": "half_year", "start": "2026-01-01", "end": "2026-06-30"}),
        ),
        (
            "Năm 2025",
            json!({"text": "Năm 2025", "kind": "year", "start": "2025-01-01", "end": "2025-12-31"}),
        ),
        (
            "30/6/2026",
            json!({"text": "30/6/2026", "kind": "date", "start": "2026-06-30", "end": "2026-06-30"}),
        ),
        (
            "2025 - 2026",
            json!({"text": "2025 - 2026", "kind": "range", "start": "2025-01-01", "end": "2026-12-31"}),
        ),
        (
            "Thường xuyên",
            json!({"text": "Thường xuyên", "kind": "ongoing", "start": null, "end": null}),
        ),
        (
            "Hàng năm",
            json!({"text": "Hàng năm", "kind": "yearly", "start": null, "end": null}),
        ),
        (
            "Năm 2025 và những năm tiếp theo",
            json!({"text": "Năm 2025 và những năm tiếp theo", "kind": "yearly", "start": "2025-01-01", "end": null}),
        ),
        (
            "Quý, 6 tháng, 9 tháng, năm",
            json!({"text": "Quý, 6 tháng, 9 tháng, năm", "kind": "periodic", "start": null, "end": null}),
        ),
        (
            "Theo tiến độ dự án",
            json!({"text": "Theo tiến độ dự án", "kind": "unknown", "start": null, "end": null}),
        ),
    ];
    for (text, expected) in cases {
        let d = Deadline::parse(text);
        let value = serde_json::to_value(&d).expect("serialise deadline");
        assert_eq!(value, expected, "{text}");
        let back: Deadline = serde_json::from_value(value).expect("deserialise deadline");
        assert_eq!(back, d);
    }
}

#[test]
fn deserialising_re_derives_fields_from_the_text() {
    let stale = json!({"text": "Quý IV/2025", "kind": "unknown", "start": null, "end": null});
    let d: Deadline = serde_json::from_value(stale).expect("deserialise deadline");
    assert_eq!(d.kind(), DeadlineKind::Quarter);
    let bare: Deadline = serde_json::from_value(json!("Thường xuyên")).expect("deserialise string");
    assert_eq!(bare.kind(), DeadlineKind::Ongoing);
    assert!(serde_json::from_value::<Deadline>(json!({"kind": "month"})).is_err());
}

#[test]
fn kind_names_match_their_serde_form() {
    use DeadlineKind::*;
    for kind in [
        Month, Quarter, HalfYear, Year, Date, Range, Ongoing, Yearly, Periodic, Unknown,
    ] {
        assert_eq!(
            serde_json::to_value(kind).expect("serialise kind"),
            json!(kind.as_str())
        );
        assert!(!kind.label_vi().is_empty());
    }
}

#[test]
fn one_off_deadlines_are_due_only_in_the_period_holding_their_end() {
    let d = Deadline::parse("Tháng 7/2025");
    assert_eq!(d.final_due_date(), Some(date(2025, 7, 31)));
    assert_eq!(d.due_date_in(&month(2025, 7)), Some(date(2025, 7, 31)));
    assert!(!d.is_due_in(&month(2025, 6)));
    assert!(d.is_due_in(&quarter(2025, 3)));
    assert!(!d.is_due_in(&quarter(2025, 4)));
    assert_eq!(d.due_date_in(&year(2025)), Some(date(2025, 7, 31)));
    assert!(!d.is_due_in(&year(2026)));

    let q = Deadline::parse("Quý III/2026");
    assert!(!q.is_due_in(&month(2026, 8)));
    assert_eq!(q.due_date_in(&month(2026, 9)), Some(date(2026, 9, 30)));
    assert_eq!(q.due_date_in(&quarter(2026, 3)), Some(date(2026, 9, 30)));

    let h = Deadline::parse("6 tháng đầu năm 2026");
    assert_eq!(h.due_date_in(&month(2026, 6)), Some(date(2026, 6, 30)));
    assert_eq!(h.due_date_in(&quarter(2026, 2)), Some(date(2026, 6, 30)));
    assert!(!h.is_due_in(&quarter(2026, 1)));

    let y = Deadline::parse("Năm 2025");
    assert!(!y.is_due_in(&month(2025, 11)));
    assert_eq!(y.due_date_in(&month(2025, 12)), Some(date(2025, 12, 31)));
    assert_eq!(y.due_date_in(&year(2025)), Some(date(2025, 12, 31)));

    let day = Deadline::parse("trước ngày 15/01/2026");
    assert_eq!(day.due_date_in(&month(2026, 1)), Some(date(2026, 1, 15)));
    assert_eq!(day.due_date_in(&quarter(2026, 1)), Some(date(2026, 1, 15)));
    assert!(!day.is_due_in(&month(2026, 2)));

    let range = Deadline::parse("2025 - 2026");
    assert!(!range.is_due_in(&year(2025)));
    assert_eq!(range.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
    assert_eq!(
        range.due_date_in(&quarter(2026, 4)),
        Some(date(2026, 12, 31))
    );
    assert!(!range.is_due_in(&month(2026, 11)));
}

#[test]
fn ongoing_deadlines_are_due_at_the_end_of_every_period() {
    let d = Deadline::parse("Thường xuyên");
    assert_eq!(d.final_due_date(), None);
    assert_eq!(d.due_date_in(&month(2026, 2)), Some(date(2026, 2, 28)));
    assert_eq!(d.due_date_in(&quarter(2026, 1)), Some(date(2026, 3, 31)));
    assert_eq!(d.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
    let ad_hoc =
        ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20)).expect("valid ad hoc");
    assert_eq!(d.due_date_in(&ad_hoc), Some(date(2026, 3, 20)));
}

#[test]
fn yearly_deadlines_are_due_on_the_last_day_of_their_month_each_year() {
    let every_year = Deadline::parse("Hàng năm");
    assert_eq!(every_year.final_due_date(), None);
    assert!(!every_year.is_due_in(&month(2026, 11)));
    assert_eq!(
        every_year.due_date_in(&month(2026, 12)),
        Some(date(2026, 12, 31))
    );
    assert_eq!(
        every_year.due_date_in(&quarter(2031, 4)),
        Some(date(2031, 12, 31))
    );
    assert_eq!(
        every_year.due_date_in(&year(2020)),
        Some(date(2020, 12, 31))
    );

    let november = Deadline::parse("Tháng 11 của năm trước");
    assert_eq!(
        november.due_date_in(&month(2026, 11)),
        Some(date(2026, 11, 30))
    );
    assert!(!november.is_due_in(&month(2026, 12)));
    assert_eq!(
        november.due_date_in(&quarter(2026, 4)),
        Some(date(2026, 11, 30))
    );
    assert_eq!(november.due_date_in(&year(2027)), Some(date(2027, 11, 30)));

    let from_2025 = Deadline::parse("Năm 2025 và những năm tiếp theo");
    assert!(!from_2025.is_due_in(&year(2024)));
    assert_eq!(from_2025.due_date_in(&year(2025)), Some(date(2025, 12, 31)));
    assert_eq!(
        from_2025.due_date_in(&month(2030, 12)),
        Some(date(2030, 12, 31))
    );
    assert!(!from_2025.is_due_in(&quarter(2030, 3)));
}

#[test]
fn periodic_deadlines_are_due_at_the_end_of_each_listed_period() {
    let d =
        Deadline::parse("Quý, 6 tháng, 9 tháng, năm; Sơ kết, tổng kết; Đột xuất khi có yêu cầu");
    assert_eq!(d.final_due_date(), None);
    assert_eq!(d.due_date_in(&month(2026, 3)), Some(date(2026, 3, 31)));
    assert!(!d.is_due_in(&month(2026, 4)));
    assert_eq!(d.due_date_in(&month(2026, 9)), Some(date(2026, 9, 30)));
    assert_eq!(d.due_date_in(&quarter(2026, 2)), Some(date(2026, 6, 30)));
    assert_eq!(d.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
    let ad_hoc =
        ReportingPeriod::ad_hoc(date(2026, 3, 5), date(2026, 3, 20)).expect("valid ad hoc");
    assert!(!d.is_due_in(&ad_hoc));

    let monthly = Deadline::parse("Định kỳ hằng tháng");
    assert_eq!(
        monthly.due_date_in(&month(2026, 2)),
        Some(date(2026, 2, 28))
    );
    assert_eq!(
        monthly.due_date_in(&quarter(2026, 1)),
        Some(date(2026, 3, 31))
    );

    let half = Deadline::parse("6 tháng, 1 năm");
    assert!(!half.is_due_in(&quarter(2026, 1)));
    assert_eq!(half.due_date_in(&quarter(2026, 2)), Some(date(2026, 6, 30)));
    assert_eq!(half.due_date_in(&year(2026)), Some(date(2026, 12, 31)));
}

#[test]
fn unknown_deadlines_are_never_due() {
    let d = Deadline::parse("Theo tiến độ dự án");
    for p in [month(2026, 1), quarter(2026, 1), year(2026)] {
        assert!(!d.is_due_in(&p));
        assert_eq!(d.due_date_in(&p), None);
    }
}

#[test]
fn parse_never_panics_on_odd_input() {
    let long = "9".repeat(500);
    let dashes = "- ".repeat(200);
    let weird = [
        "",
        " ",
        "/",
        "-",
        "--",
        "Quý",
        "Quý 0/2026",
        "Quý V/2026",
        "Tháng 13/2025",
        "Tháng 0/2025",
        "31/2/2026",
        "0/0/0",
        "9999999999999",
        "99999999999999999999999/1/1",
        long.as_str(),
        dashes.as_str(),
        "📅 Tháng 7/2025 🎉",
        "🙂",
        "\u{0}",
        "\u{200B}",
        "năm năm năm",
        "Tháng 7/",
        "/2025",
        "2025-",
        "-2025",
        "đến",
        "từ đến",
        "Quý IV/2025 -",
        "ngày tháng năm",
        "Tháng 11 của năm",
        ",,,;;;",
        "6 tháng đầu năm",
        "2026-02-30",
        "1/1/1/1/1",
        "T/2025",
        "Năm 2025 và những năm",
        "١٢/٢٠٢٥",
    ];
    for text in weird {
        let d = Deadline::parse(text);
        let _ = serde_json::to_value(&d).expect("serialise deadline");
        for p in [month(2026, 1), quarter(2026, 1), year(2026)] {
            let _ = d.due_date_in(&p);
        }
    }
    assert_eq!(
        Deadline::parse("📅 Tháng 7/2025 🎉").kind(),
        DeadlineKind::Unknown
    );
}
