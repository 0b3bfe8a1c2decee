//! Parse-time benchmark of the plan importer: every real seed plan in
//! `../shared/seeds` (skipped when the folder is absent), every real
//! published plan of the corpus in `tests/corpus`, and every demo plan in
//! `src/demo/plans`, each parsed many times; prints median and p95 time per
//! parse and the throughput at the median.
//!
//! Run with `cargo bench --bench import`. `BENCH_ITERS` changes the number
//! of timed parses per file (default 200); a plain argument keeps only the
//! files whose name contains it. No bench crate: the importer is pure and
//! fast, so wall-clock samples of single parses are enough to compare runs.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use theodoi::import::parse_plan;

const DEFAULT_ITERS: usize = 200;
/// Untimed parses first, so caches and the allocator are warm.
const WARMUP: usize = 10;

fn main() -> ExitCode {
    let iters = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_ITERS);
    // cargo passes "--bench" (and libtest flags) to harness-less benches.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = txt_files(&root.join("../shared/seeds"), "seed");
    files.extend(txt_files(&root.join("tests/corpus"), "real"));
    files.extend(txt_files(&root.join("src/demo/plans"), "demo"));
    if let Some(f) = &filter {
        files.retain(|(_, path)| path.to_string_lossy().contains(f.as_str()));
    }
    if files.is_empty() {
        eprintln!("no plan files to benchmark");
        return ExitCode::FAILURE;
    }

    println!("import::parse_plan, {iters} parses per file after {WARMUP} warm-up parses");
    println!(
        "{:<5} {:<40} {:>8} {:>11} {:>11} {:>9} {:>6} {:>7}",
        "kind", "file", "bytes", "median", "p95", "MB/s", "tasks", "targets"
    );
    let mut failed = false;
    let (mut total_bytes, mut total_median) = (0usize, Duration::ZERO);
    for (kind, path) in &files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                failed = true;
                continue;
            }
        };
        let plan = match parse_plan(&bytes, Some(name)) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{name}: {e}");
                failed = true;
                continue;
            }
        };
        for _ in 0..WARMUP {
            let _ = black_box(parse_plan(black_box(&bytes), Some(name)));
        }
        let mut samples: Vec<Duration> = (0..iters)
            .map(|_| {
                let start = Instant::now();
                let _ = black_box(parse_plan(black_box(&bytes), Some(name)));
                start.elapsed()
            })
            .collect();
        samples.sort_unstable();
        let median = percentile(&samples, 50);
        let p95 = percentile(&samples, 95);
        total_bytes += bytes.len();
        total_median += median;
        println!(
            "{:<5} {:<40} {:>8} {:>11} {:>11} {:>9.2} {:>6} {:>7}",
            kind,
            name,
            bytes.len(),
            format!("{median:.2?}"),
            format!("{p95:.2?}"),
            mb_per_s(bytes.len(), median),
            plan.tasks.len(),
            plan.targets.len()
        );
    }
    if total_median > Duration::ZERO {
        println!(
            "all files: {total_bytes} bytes in {total_median:.2?} (sum of medians), {:.2} MB/s",
            mb_per_s(total_bytes, total_median)
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The `.txt` plans of a folder, sorted by name; none when it is absent.
fn txt_files(dir: &Path, kind: &'static str) -> Vec<(&'static str, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths.into_iter().map(|p| (kind, p)).collect()
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// Decimal megabytes per second.
fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    let secs = time.as_secs_f64();
    if secs == 0.0 {
        return 0.0;
    }
    bytes as f64 / 1e6 / secs
}
