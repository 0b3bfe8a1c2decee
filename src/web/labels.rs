//! Vietnamese words for records shown to people: a round's name, a piece
//! of evidence. Pages, the API and the exported documents all say them the
//! same way, from here.

use crate::domain::evidence::Evidence;
use crate::domain::period::ReportingPeriod;
use crate::domain::round::Round;
use crate::domain::text::lower_first;

/// "Báo cáo tháng 7/2026", or the title of an ad-hoc request.
pub fn round_label(round: &Round) -> String {
    match (&round.title, ReportingPeriod::parse_key(&round.period_key)) {
        (Some(t), _) => t.clone(),
        (None, Some(p)) => format!("Báo cáo {}", lower_first(&p.label_vi())),
        (None, None) => round.period_key.clone(),
    }
}

/// The period a round covers ("Tháng 7/2026"), or its label when it is not
/// a regular period.
pub fn period_label(round: &Round) -> String {
    ReportingPeriod::parse_key(&round.period_key)
        .map(|p| p.label_vi())
        .unwrap_or_else(|| round_label(round))
}

/// "Tệp bien-ban.pdf", "Văn bản số 12/QĐ-UBND ngày 05/03/2026", or the link.
pub fn evidence_label(e: &Evidence) -> String {
    match e.kind.as_str() {
        "file" => format!("Tệp {}", e.file_name.clone().unwrap_or_default()),
        "document" => format!(
            "Văn bản số {}{}",
            e.doc_number.clone().unwrap_or_default(),
            e.doc_date
                .map(|d| format!(" ngày {}", d.format("%d/%m/%Y")))
                .unwrap_or_default()
        ),
        _ => e.url.clone().unwrap_or_default(),
    }
}
