//! Any bytes given to the importer must come back as a plan or an
//! `ImportError`, never a panic, a hang or runaway memory: uploads are
//! untrusted, and the importer runs inside the web server.
#![no_main]

use libfuzzer_sys::fuzz_target;
use theodoi::import::parse_plan;

fuzz_target!(|data: &[u8]| {
    // The file name only decides which error a broken zip gets; let the
    // input pick it so both paths are covered without parsing twice.
    let name = if data.len().is_multiple_of(2) {
        "plan.docx"
    } else {
        "plan.xlsx"
    };
    match parse_plan(data, Some(name)) {
        Ok(plan) => {
            // Unit names are matched against the directory as they are:
            // an empty or untrimmed one could never resolve.
            let units = plan
                .tasks
                .iter()
                .flat_map(|t| t.lead.iter().chain(t.support.iter()))
                .chain(plan.targets.iter().flat_map(|t| t.lead.iter()));
            for unit in units {
                assert!(
                    !unit.is_empty() && unit.trim() == unit,
                    "unit name {unit:?}"
                );
            }
            // The preview is sent as JSON (CLI --json, web API).
            if let Err(e) = serde_json::to_string(&plan) {
                panic!("plan does not serialise: {e}");
            }
        }
        Err(e) => assert!(!e.to_string().is_empty() && !e.code().is_empty()),
    }
});
