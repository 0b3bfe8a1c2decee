//! Any bytes sent as the body of an API call: each request shape (`*In`)
//! is read with serde_json, and what reads is passed through the same pure
//! checks the handlers apply (drafts' `validate`, dates, statuses, scores,
//! attachments). Nothing may panic; a refusal is a value, not a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use theodoi::domain::attachment::AttachedTo;
use theodoi::domain::auto_figure::AutoSource;
use theodoi::domain::deadline::Deadline;
use theodoi::domain::feedback::{Contact, FeedbackDraft, Topic, parse_code, validate_answer};
use theodoi::domain::goal::Goal;
use theodoi::domain::initiative::{InitiativeDraft, Scores};
use theodoi::domain::report::{TargetFigureDraft, TaskStatus, TaskUpdateDraft};
use theodoi::domain::target::TargetDraft;
use theodoi::domain::task::{TaskDraft, UnitMention};
use theodoi::domain::unit::UnitDraft;
use theodoi::web::api::dto::*;
use theodoi::web::api::feedback_dto::*;
use theodoi::web::api::report_dto::*;
use theodoi::web::forms::parse_date;

fn read<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    serde_json::from_slice(data).ok()
}

fn mentions(list: Vec<MentionIn>) -> Vec<UnitMention> {
    list.into_iter()
        .map(|m| UnitMention {
            name: m.name.unwrap_or_default(),
            unit_id: m.unit_id,
        })
        .collect()
}

fn task(input: TaskIn) {
    let _ = TaskDraft {
        reference: input.reference,
        group_path: input.group,
        title: input.title,
        lead: mentions(input.lead),
        support: mentions(input.support),
        product: input.product,
        deadline: Deadline::parse(input.deadline.as_deref().unwrap_or("")),
        funding: input.funding,
        legal_basis: input.basis,
        parent_task_id: input.parent_task_id,
        draft: input.draft,
        confidential: false,
        responsible_user_id: None,
    }
    .validate();
}

fn target(input: TargetIn) {
    let goals = input
        .goals
        .iter()
        .filter_map(|g| Goal::parse(&g.text, g.year))
        .collect();
    let _ = TargetDraft {
        reference: input.reference,
        group_path: input.group,
        name: input.name,
        measure_unit: input.unit,
        lead: mentions(input.lead),
        goals,
        note: input.note,
        direction: None,
    }
    .validate();
}

fn report(input: ReportIn) {
    for t in input.tasks {
        let status = t.status.as_deref().and_then(TaskStatus::parse);
        let _ = TaskUpdateDraft {
            status,
            percent: t.percent,
            result: t.result,
            suspend_reason: t.suspend_reason,
            nothing_this_period: t.nothing_this_period.unwrap_or(false),
        }
        .validate();
    }
    for g in input.targets {
        let _ = TargetFigureDraft {
            value: g.value,
            source: g.source,
            no_data_reason: g.no_data_reason,
            nothing_this_period: g.nothing_this_period.unwrap_or(false),
        }
        .validate();
    }
}

fn feedback(input: FeedbackIn) {
    let _ = attachments(input.attachments, AttachedTo::Feedback);
    let _ = FeedbackDraft {
        commune_id: Some(input.commune_id),
        topic: Topic::parse(&input.topic),
        content: input.content,
        contact: Contact {
            name: input.name,
            phone: input.phone,
            email: input.email,
        },
        notice_acknowledged: input.notice_acknowledged,
        contact_consent: input.contact_consent,
    }
    .validate();
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the shape, so each input is read once.
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 28 {
        0 => {
            if let Some(i) = read::<UnitIn>(body) {
                let _ = UnitDraft {
                    parent_id: i.parent_id,
                    kind: i.kind,
                    name: i.name,
                    aliases: i.aliases,
                    side: i.side,
                }
                .validate(None);
            }
        }
        1 => {
            if let Some(i) = read::<PlanIn>(body) {
                let issuer = i.issuer_unit_id;
                if let Ok(plan) = theodoi::web::api::plans::plan_input(i) {
                    let implements = plan.implements.clone().unwrap_or_default();
                    let _ = plan.into_draft(issuer, implements).validate();
                }
            }
        }
        2 => {
            if let Some(i) = read::<TaskIn>(body) {
                task(i);
            }
        }
        3 => {
            if let Some(i) = read::<TargetIn>(body) {
                target(i);
            }
        }
        4 => {
            let _ = read::<LoginIn>(body);
        }
        5 => {
            if let Some(i) = read::<ReportIn>(body) {
                report(i);
            }
        }
        6 => {
            let _ = read::<ReviewIn>(body);
        }
        7 => {
            if let Some(i) = read::<EvidenceIn>(body) {
                if let Some(d) = i.date {
                    let _ = parse_date(&d, "date");
                }
            }
        }
        8 => {
            if let Some(i) = read::<AdHocRoundIn>(body) {
                let _ = parse_date(&i.due, "due");
            }
        }
        9 => {
            let _ = read::<ConsolidateIn>(body);
        }
        10 => {
            if let Some(i) = read::<DeadlineIn>(body) {
                let _ = Deadline::parse(&i.deadline);
            }
        }
        11 => {
            let _ = read::<NotApplicableIn>(body);
        }
        12 => {
            let _ = read::<SplitIn>(body);
        }
        13 => {
            if let Some(i) = read::<FeedbackIn>(body) {
                feedback(i);
            }
        }
        14 => {
            if let Some(i) = read::<CodeIn>(body) {
                let _ = parse_code(&i.tracking_code);
            }
        }
        15 => {
            if let Some(i) = read::<RateIn>(body) {
                let _ = parse_code(&i.tracking_code);
            }
        }
        16 => {
            let _ = read::<RouteIn>(body);
        }
        17 => {
            let _ = read::<AssignIn>(body);
        }
        18 => {
            if let Some(i) = read::<AnswerIn>(body) {
                let _ = validate_answer(&i.answer);
            }
        }
        19 => {
            if let Some(i) = read::<InitiativeIn>(body) {
                let _ = attachments(i.attachments, AttachedTo::Initiative);
                let _ = InitiativeDraft {
                    unit_id: i.unit_id,
                    title: i.title,
                    authors: i.authors,
                    problem: i.problem,
                    solution: i.solution,
                    benefit: i.benefit,
                }
                .validate();
            }
        }
        20 => {
            let _ = read::<ReviewersIn>(body);
        }
        21 => {
            if let Some(i) = read::<ScoreIn>(body) {
                let _ = Scores::validate([
                    i.novelty,
                    i.applicability,
                    i.effectiveness,
                    i.scalability,
                ]);
            }
        }
        22 => {
            if let Some(i) = read::<DecisionIn>(body) {
                let _ = parse_date(&i.date, "date");
            }
        }
        23 => {
            if let Some(i) = read::<SourceIn>(body) {
                let _ = i.source.as_deref().map(AutoSource::parse);
            }
        }
        24 => {
            let _ = read::<GoalIn>(body).map(|g| Goal::parse(&g.text, g.year));
        }
        25 => {
            let _ = read::<MentionIn>(body);
        }
        26 => {
            let _ = read::<TaskItemIn>(body);
            let _ = read::<TargetItemIn>(body);
        }
        _ => {
            let _ = read::<ItemCommentIn>(body);
            let _ = read::<AttachmentIn>(body).map(|a| attachments(vec![a], AttachedTo::Feedback));
        }
    }
});
