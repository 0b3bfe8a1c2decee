//! The demo's past, continued: citizens' feedback (received, answered and
//! published, most on time and some late, many rated) and staff
//! initiatives (registered, scored by a council, decided), written through
//! the same store methods as the pages use, each at its moment on the
//! walk's clock. See `history.rs`.

use chrono::{Datelike, Duration, NaiveDate};

use super::history::{MONTHS, People, months_before, set, vn_ms};
use crate::auth::token::sha256_hex;
use crate::clock::FixedClock;
use crate::domain::feedback::{
    Contact, FeedbackDraft, Rating, SealedContact, Topic, code_from_random, due_on,
};
use crate::domain::initiative::{CRITERIA, Decision, InitiativeDraft, Scores};
use crate::domain::unit::{Unit, UnitKind};
use crate::store::{Actor, NewFeedback, Page, Store, UnitFilter};
use crate::synthetic::Rng;

/// What citizens write about, with the commune's answer.
const FEEDBACK: [(Topic, &str, &str); 6] = [
    (
        Topic::OnlinePublicServices,
        "Đề nghị hướng dẫn nộp hồ sơ đăng ký khai sinh trực tuyến trên Cổng dịch vụ công, tôi đăng nhập VNeID nhưng không thấy thủ tục.",
        "Trung tâm Phục vụ hành chính công xã đã cử cán bộ hướng dẫn trực tiếp; thủ tục nằm trong mục Liên thông khai sinh. Bộ phận một cửa hỗ trợ vào giờ hành chính các ngày làm việc.",
    ),
    (
        Topic::DigitalInfrastructure,
        "Khu vực cuối thôn chưa có sóng 4G ổn định, học sinh học trực tuyến rất khó khăn.",
        "UBND xã đã làm việc với doanh nghiệp viễn thông; trạm phát sóng bổ sung dự kiến lắp đặt trong quý tới.",
    ),
    (
        Topic::DigitalSkills,
        "Đề nghị xã tổ chức lớp hướng dẫn người cao tuổi sử dụng điện thoại thông minh và thanh toán không dùng tiền mặt.",
        "Tổ công nghệ số cộng đồng mở lớp vào sáng thứ Bảy hằng tuần tại nhà văn hóa các thôn; đề nghị bà con đăng ký với trưởng thôn.",
    ),
    (
        Topic::DigitalTransformation,
        "Trang thông tin điện tử của xã chậm cập nhật lịch tiếp công dân.",
        "Văn phòng HĐND và UBND đã cập nhật lịch và giao cán bộ cập nhật định kỳ hằng tuần.",
    ),
    (
        Topic::Innovation,
        "Đề nghị xã có hình thức khen thưởng cho các mô hình số hóa sản xuất của hộ gia đình.",
        "Xã tiếp thu; nội dung được đưa vào kế hoạch thi đua năm và xét chọn mô hình tiêu biểu cuối năm.",
    ),
    (
        Topic::Other,
        "Loa truyền thanh thông minh ở thôn bị hỏng, không nghe được thông báo của xã.",
        "Xã đã sửa chữa cụm loa và kiểm tra toàn bộ hệ thống truyền thanh thông minh trên địa bàn.",
    ),
];

/// Initiatives staff register: title, problem, solution, benefit.
const INITIATIVES: [(&str, &str, &str, &str); 3] = [
    (
        "Số hóa hồ sơ hộ tịch lưu trữ giai đoạn 2000-2015",
        "Tra cứu hồ sơ giấy mất nhiều thời gian, dễ hư hỏng",
        "Quét, đánh chỉ mục và đối chiếu hồ sơ trên phần mềm dùng chung",
        "Rút ngắn thời gian tra cứu từ hai ngày xuống vài phút",
    ),
    (
        "Nhóm Zalo hỗ trợ dịch vụ công trực tuyến theo thôn",
        "Người dân chưa quen nộp hồ sơ trực tuyến",
        "Mỗi thôn một nhóm do Tổ công nghệ số cộng đồng trả lời hằng ngày",
        "Tỷ lệ hồ sơ trực tuyến toàn trình tăng rõ rệt",
    ),
    (
        "Bảng theo dõi nhiệm vụ chuyển đổi số bằng mã QR tại bộ phận một cửa",
        "Người dân không biết hồ sơ đang ở khâu nào",
        "Phiếu hẹn in mã QR dẫn tới trang tra cứu tình trạng hồ sơ",
        "Giảm số lượt hỏi lại qua điện thoại",
    ),
];

/// One step, in order of its moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Receive(usize),
    Answer(usize),
    Rate(usize),
    Register(usize),
    Score(usize),
    Decide(usize),
}

/// A commune's share of the public life: (feedback a month, initiatives).
fn activity(name: &str) -> (f64, usize) {
    match name {
        "Xã Tân Phong" => (1.0, 3),
        "Xã Đồng Tâm" => (0.7, 2),
        _ => (0.5, 1),
    }
}

/// A planned step: (moment, step, commune index, text index, late or
/// unsatisfied or refused).
type Planned = (i64, Step, usize, usize, bool);

/// The public life of the communes over the walk, in steps: returns them
/// with how many feedback items and initiatives they make.
fn plan(
    communes: &[Unit],
    rng: &mut Rng,
    (start, today, now): (NaiveDate, NaiveDate, i64),
) -> (Vec<Planned>, usize, usize) {
    let mut steps: Vec<Planned> = Vec::new();
    let mut n_feedback = 0;
    let mut n_initiatives = 0;
    let days = (today - start).num_days().max(1) as u64;
    for (c, commune) in communes.iter().enumerate() {
        let (per_month, initiatives) = activity(&commune.name);
        let count = (per_month * f64::from(MONTHS)).round() as usize;
        for k in 0..count {
            let received = start + Duration::days(rng.below(days) as i64);
            let at = vn_ms(received, 8 * 60 + rng.below(10 * 60) as i64);
            let text = k % FEEDBACK.len();
            let late = rng.chance(0.25);
            steps.push((at, Step::Receive(n_feedback), c, text, false));
            let wait = if late {
                17 + rng.below(10)
            } else {
                2 + rng.below(10)
            };
            let answered = at + wait as i64 * 86_400_000;
            if answered < now {
                steps.push((answered, Step::Answer(n_feedback), c, text, late));
                let rated = answered + (1 + rng.below(5) as i64) * 86_400_000;
                if rated < now && rng.chance(0.7) {
                    let unhappy = late && rng.chance(0.6);
                    steps.push((rated, Step::Rate(n_feedback), c, text, unhappy));
                }
            }
            n_feedback += 1;
        }
        for k in 0..initiatives {
            let registered = start + Duration::days((30 + rng.below(days / 2)) as i64);
            let at = vn_ms(registered, 9 * 60);
            steps.push((at, Step::Register(n_initiatives), c, k, false));
            let scored = at + 10 * 86_400_000;
            let decided = scored + 10 * 86_400_000;
            if decided < now {
                steps.push((scored, Step::Score(n_initiatives), c, k, false));
                steps.push((decided, Step::Decide(n_initiatives), c, k, k == 2));
            }
            n_initiatives += 1;
        }
    }
    (steps, n_feedback, n_initiatives)
}

pub(super) async fn build(
    store: &Store,
    past: &Store,
    clock: &FixedClock,
    people: &People,
    rng: &mut Rng,
) -> anyhow::Result<()> {
    let now = store.clock().now_ms();
    let today = store.clock().today();
    let start = months_before(today.with_day(1).unwrap_or(today), MONTHS);
    let mut communes = store
        .units(
            &UnitFilter {
                kind: Some(UnitKind::Commune),
                ..UnitFilter::default()
            },
            Page::all(),
        )
        .await?
        .items;
    communes.retain(|c| people.focal_by_commune.contains_key(&Some(c.id)));
    communes.sort_by_key(|c| c.id);
    let (mut steps, n_feedback, n_initiatives) = plan(&communes, rng, (start, today, now));
    steps.sort();
    let mut feedback_ids: Vec<(i64, i64)> = vec![(0, 0); n_feedback];
    let mut initiative_ids: Vec<(i64, i64)> = vec![(0, 0); n_initiatives];
    for (at, step, c, text, flag) in steps {
        set(clock, at);
        let commune = &communes[c];
        let focal = Actor {
            user_id: people.focal_by_commune.get(&Some(commune.id)).copied(),
            ip: None,
        };
        match step {
            Step::Receive(i) => {
                let (topic, content, _) = FEEDBACK[text];
                let valid = FeedbackDraft {
                    commune_id: Some(commune.id),
                    topic: Some(topic),
                    content: content.into(),
                    contact: Contact::default(),
                    notice_acknowledged: true,
                    contact_consent: false,
                }
                .validate()?;
                let mut random = [0u8; 32];
                for b in &mut random {
                    *b = rng.below(256) as u8;
                }
                let code = code_from_random(&random).unwrap_or_default();
                let received_on = past.clock().today();
                let new = NewFeedback {
                    feedback: valid,
                    sealed: SealedContact::default(),
                    tracking_hash: sha256_hex(&format!("demo-{i}-{code}")),
                    received_on,
                    due_on: due_on(received_on),
                    retention_days: 365,
                    files: Vec::new(),
                };
                let f = past.create_feedback(new, &Actor::default()).await?;
                feedback_ids[i] = (f.id, f.version);
            }
            Step::Answer(i) => {
                let (id, version) = feedback_ids[i];
                let answer = FEEDBACK[text].2.to_string();
                let f = past
                    .answer_feedback(id, answer, true, version, &focal)
                    .await?;
                feedback_ids[i] = (f.id, f.version);
            }
            Step::Rate(i) => {
                let (id, _) = feedback_ids[i];
                let rating = if flag {
                    Rating {
                        satisfied: false,
                        reason: Some("Trả lời chậm so với thời hạn".into()),
                    }
                } else {
                    Rating {
                        satisfied: true,
                        reason: None,
                    }
                };
                past.rate_feedback(id, rating, &Actor::default()).await?;
            }
            Step::Register(i) => {
                let (title, problem, solution, benefit) = INITIATIVES[text];
                let draft = InitiativeDraft {
                    unit_id: commune.id,
                    title: title.into(),
                    authors: vec![format!("Cán bộ {}", commune.name)],
                    problem: problem.into(),
                    solution: solution.into(),
                    benefit: benefit.into(),
                }
                .validate()?;
                let made = past
                    .create_initiative(draft, commune, Vec::new(), &focal)
                    .await?;
                initiative_ids[i] = (made.id, made.version);
            }
            Step::Score(i) => score(past, people, commune, initiative_ids[i].0, text).await?,
            Step::Decide(i) => decide(past, initiative_ids[i].0, i, flag, &focal).await?,
        }
    }
    Ok(())
}

/// The council (the focal point and the leader) is named and scores; the
/// third initiative scores low.
async fn score(
    past: &Store,
    people: &People,
    commune: &Unit,
    id: i64,
    text: usize,
) -> anyhow::Result<()> {
    let focal = people.focal_by_commune.get(&Some(commune.id)).copied();
    let mut council: Vec<i64> = focal.into_iter().collect();
    council.extend(people.leader_by_commune.get(&Some(commune.id)).copied());
    let actor = Actor {
        user_id: focal,
        ip: None,
    };
    past.name_reviewers(id, &council, &actor).await?;
    for (k, reviewer) in council.iter().enumerate() {
        let share = if text == 2 {
            0.35
        } else {
            0.7 + 0.1 * k as f64
        };
        let points = CRITERIA.map(|c| ((c.max as f64) * share).round() as i64);
        let who = Actor {
            user_id: Some(*reviewer),
            ip: None,
        };
        let comment = Some("Đã xem xét hồ sơ và hiệu quả áp dụng".to_string());
        past.score_initiative(id, *reviewer, Scores::validate(points)?, comment, &who)
            .await?;
    }
    Ok(())
}

/// The decision: recognised, or (`refused`) not yet.
async fn decide(
    past: &Store,
    id: i64,
    i: usize,
    refused: bool,
    focal: &Actor,
) -> anyhow::Result<()> {
    let current = past
        .initiative(id)
        .await?
        .map(|x| x.version)
        .unwrap_or_default();
    let day: NaiveDate = past.clock().today();
    let decision = Decision::validate(
        !refused,
        Some(format!("{}/QĐ-UBND", 10 + i)),
        Some(day),
        refused.then(|| "Chưa đủ điều kiện công nhận; đề nghị hoàn thiện".to_string()),
    )?;
    past.decide_initiative(id, decision, current, focal).await?;
    Ok(())
}
