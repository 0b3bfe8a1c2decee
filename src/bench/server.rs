//! The server under test: this same binary started as `theodoi serve` on a
//! free loopback port, and what `/proc` says of it (CPU, memory, load).

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::http::Http;

pub(crate) struct Server {
    child: Option<Child>,
    pub(crate) addr: SocketAddr,
}

impl Server {
    /// Starts this same binary as `theodoi serve` on a free loopback port.
    pub(crate) fn start(db: &str) -> anyhow::Result<Server> {
        // Binding port 0 and letting go of it gives a port that is free now;
        // the server binds it a moment later.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let exe = std::env::current_exe()?;
        let child = Command::new(exe)
            .arg("serve")
            .arg("--db")
            .arg(db)
            .arg("--listen")
            .arg(addr.to_string())
            // Quiet unless asked: THEODOI_BENCH_SERVER_LOG=sqlx::query=debug
            // shows every statement the measured requests run.
            .env(
                "THEODOI_LOG",
                std::env::var("THEODOI_BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("không chạy được `theodoi serve`")?;
        Ok(Server {
            child: Some(child),
            addr,
        })
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    pub(crate) fn exited(&mut self) -> bool {
        !matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    pub(crate) async fn wait_healthy(&mut self, limit: Duration) -> anyhow::Result<()> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if self.exited() {
                bail!("máy chủ đã dừng khi khởi động");
            }
            if let Ok(mut http) = Http::connect(self.addr).await
                && let Ok(r) = http.send("GET", "/healthz", None, None).await
                && r.status == 200
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!("máy chủ không trả lời /healthz sau {} s", limit.as_secs())
    }

    /// Waits until the server has used almost no CPU for three seconds in
    /// a row: at start it opens the current rounds and computes warnings
    /// for every plan, which would otherwise be timed as dashboard latency.
    /// Returns the seconds waited.
    pub(crate) async fn wait_idle(&mut self, limit: Duration) -> f64 {
        let started = Instant::now();
        let mut quiet = 0;
        let mut last = cpu_ticks(self.pid());
        while started.elapsed() < limit && quiet < 3 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = cpu_ticks(self.pid());
            match (last, now) {
                // Under 5% of a core (ticks are usually 1/100 s).
                (Some(a), Some(b)) if b.saturating_sub(a) <= 5 => quiet += 1,
                (Some(_), Some(_)) => quiet = 0,
                _ => break,
            }
            last = now;
        }
        started.elapsed().as_secs_f64()
    }

    /// Asks the server to stop (SIGTERM, so it closes the database
    /// cleanly), then kills it if it has not stopped within ten seconds.
    pub(crate) fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .stderr(Stdio::null())
            .status();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    /// A bench that fails half-way still leaves no server behind.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// User plus system CPU time of a process, in clock ticks.
pub(crate) fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields are counted after it.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The one-minute load average of the machine.
pub(crate) fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Resident and peak resident memory of a process, in MB.
pub(crate) fn read_memory(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        status
            .lines()
            .find(|l| l.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse::<f64>()
            .ok()
    };
    Some((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}
