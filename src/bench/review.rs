//! `theodoi load --reviewers N`: the review day after the deadline. Once
//! every unit has submitted, N focal points at once — the province's and
//! the communes' — accept the reports of their communes, returning one in
//! [`RETURN_EVERY`] with a comment, while the leaders keep loading their
//! dashboards. Every accept moves the counters of the commune, the
//! province and the nation in its own transaction, so this is where
//! concurrent writers meet on the same rows: one error fails the run.
//!
//! The communes are dealt out to the reviewers in turn; reviewer 0 signs
//! in once as the province's focal point, the others as the focal point of
//! each commune they review.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use serde_json::json;

use super::http::Http;
use super::peak::{Submitted, Tally};
use crate::domain::report::ReportStatus;
use crate::synthetic::accounts::{Account, ProvinceAccounts};

/// One report in this many is returned to its unit rather than accepted.
pub(super) const RETURN_EVERY: i64 = 8;

/// What the reviewers did.
#[derive(Default)]
pub(super) struct Reviews {
    pub(super) tally: Tally,
    pub(super) accepts: usize,
    pub(super) returns: usize,
    pub(super) seconds: f64,
}

impl Reviews {
    /// Accepted reports a second, over the whole review phase.
    pub(super) fn accepts_per_s(&self) -> f64 {
        self.accepts as f64 / self.seconds.max(0.001)
    }
}

/// Reviews every submitted report with `reviewers` focal points at once,
/// and records in each the status its review gave it.
pub(super) async fn review_all(
    addr: SocketAddr,
    people: &ProvinceAccounts,
    password: &str,
    reviewers: usize,
    submitted: &mut [Submitted],
    limit: Instant,
) -> Reviews {
    let mut reviews = Reviews::default();
    if reviewers == 0 || submitted.is_empty() {
        return reviews;
    }
    let mut by_commune: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for s in submitted.iter() {
        by_commune
            .entry(s.commune_id)
            .or_default()
            .push(s.report_id);
    }
    // Commune j goes to reviewer j mod N.
    let mut work: Vec<Vec<(Account, Vec<i64>)>> = vec![Vec::new(); reviewers];
    for (j, focal) in people.commune_focal_points.iter().enumerate() {
        let Some(reports) = by_commune.remove(&focal.commune_id) else {
            continue;
        };
        let k = j % reviewers;
        let account = if k == 0 {
            people.focal_point.clone()
        } else {
            focal.clone()
        };
        work[k].push((account, reports));
    }
    let started = Instant::now();
    let mut handles = Vec::new();
    for share in work.into_iter().filter(|w| !w.is_empty()) {
        let password = password.to_string();
        handles.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut decided = Vec::new();
            review_share(addr, &share, &password, limit, &mut tally, &mut decided).await;
            (tally, decided)
        }));
    }
    let mut decided: BTreeMap<i64, ReportStatus> = BTreeMap::new();
    for h in handles {
        match h.await {
            Ok((t, d)) => {
                reviews.tally.merge(t);
                decided.extend(d);
            }
            Err(e) => reviews
                .tally
                .fail(format!("người duyệt dừng bất thường: {e}")),
        }
    }
    reviews.seconds = started.elapsed().as_secs_f64();
    for s in submitted.iter_mut() {
        if let Some(status) = decided.get(&s.report_id) {
            s.expect = *status;
            match status {
                ReportStatus::Accepted => reviews.accepts += 1,
                _ => reviews.returns += 1,
            }
        }
    }
    reviews
}

/// One reviewer's communes, in turn, each under its focal point's account
/// (the same one, signed in once, when it is the province's).
async fn review_share(
    addr: SocketAddr,
    share: &[(Account, Vec<i64>)],
    password: &str,
    limit: Instant,
    tally: &mut Tally,
    decided: &mut Vec<(i64, ReportStatus)>,
) {
    let mut http = match Http::connect(addr).await {
        Ok(h) => h,
        Err(e) => return tally.fail(format!("người duyệt: không kết nối được: {e:#}")),
    };
    let mut signed_in: Option<(String, String)> = None;
    for (account, reports) in share {
        let token = match &signed_in {
            Some((who, token)) if *who == account.username => token.clone(),
            _ => match http.login(&account.username, password, None).await {
                Ok(t) => {
                    signed_in = Some((account.username.clone(), t.clone()));
                    t
                }
                Err(e) => {
                    tally.fail(format!("{e:#}"));
                    continue;
                }
            },
        };
        for &report_id in reports {
            if Instant::now() > limit {
                tally.fail(format!(
                    "báo cáo #{report_id}: hết thời gian trước khi duyệt"
                ));
                continue;
            }
            let accept = report_id % RETURN_EVERY != 0;
            let (kind, body, status) = if accept {
                (
                    "accept",
                    json!({"decision": "accept"}),
                    ReportStatus::Accepted,
                )
            } else {
                (
                    "return",
                    json!({"decision": "return", "comment": "Đề nghị bổ sung minh chứng"}),
                    ReportStatus::Returned,
                )
            };
            let path = format!("/api/reports/{report_id}/review");
            let answer = tally
                .call(
                    &mut http,
                    kind,
                    ("POST", &path),
                    Some(&token),
                    Some(&body),
                    200,
                )
                .await;
            match answer {
                Some(v) if v["report"]["status"].as_str() == Some(status.as_str()) => {
                    decided.push((report_id, status));
                }
                Some(v) => tally.fail(format!(
                    "báo cáo #{report_id}: sau khi duyệt ở trạng thái {}",
                    v["report"]["status"]
                )),
                None => {}
            }
        }
    }
}
