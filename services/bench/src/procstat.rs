//! Peak RSS and CPU time of a process, from /proc (Linux).

use std::sync::OnceLock;

/// What /proc says about one process.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ProcStat {
    /// Peak resident set (VmHWM), MB.
    pub peak_rss_mb: f64,
    /// Resident set now (VmRSS), MB.
    pub rss_mb: f64,
    /// User + system CPU seconds.
    pub cpu_s: f64,
}

/// Read `/proc/PID/{status,stat}`; `None` when the process is gone or this is not Linux.
pub fn read(pid: u32) -> Option<ProcStat> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(ProcStat {
        peak_rss_mb: crate::stats::round3(kb("VmHWM:") / 1024.0),
        rss_mb: crate::stats::round3(kb("VmRSS:") / 1024.0),
        cpu_s: crate::stats::round3(cpu_ticks(&stat)? as f64 / clock_ticks_per_second()),
    })
}

/// utime + stime (fields 14 and 15) of a `/proc/PID/stat` line. The command name (field 2)
/// may hold spaces and parentheses, so fields are counted after its closing parenthesis.
fn cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state), so field N is at index N - 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// `getconf CLK_TCK`, 100 when it cannot be asked (the Linux default).
fn clock_ticks_per_second() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cpu_ticks_count_fields_after_the_command_name() {
        let line = "42 (a (b) c) S 1 2 3 4 5 6 7 8 9 10 300 25 0 0 20 0 1";
        assert_eq!(cpu_ticks(line), Some(325));
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let me = read(std::process::id()).unwrap();
        assert!(me.peak_rss_mb > 0.0 && me.peak_rss_mb >= me.rss_mb);
    }
}
