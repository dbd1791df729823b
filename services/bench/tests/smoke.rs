//! CI runs the benchmark's smoke mode: the whole pipeline in process on a real nats-server, a
//! couple of seconds of load. Speed is never asserted here; only that the run completes and
//! reports what it should.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn the_pipeline_smoke_run_prints_one_json_report() {
    let out = Command::new(env!("CARGO_BIN_EXE_dongtai-bench"))
        .args(["pipeline", "--smoke", "--in-process"])
        .output()
        .expect("dongtai-bench runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dongtai-bench failed:\n{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last = stdout.lines().last().expect("a line on stdout");
    let report: serde_json::Value = serde_json::from_str(last).expect("the last line is JSON");
    for key in [
        "articles_per_s",
        "events_per_s",
        "ceiling_per_s",
        "ratio",
        "p50_ms",
        "p99_ms",
        "max_ms",
    ] {
        assert!(report[key].is_number(), "{key} missing in {report}");
    }
    assert!(report["rss_mb"].is_object(), "{report}");
    assert!(
        report["articles"].as_u64().unwrap() > 0,
        "nothing was ingested: {report}\n{stderr}"
    );
    assert!(
        report["events"].as_u64().unwrap() > 0,
        "no event reached the timeline: {report}\n{stderr}"
    );
    assert!(
        report["latency_samples"].as_u64().unwrap() > 0,
        "no latency measured: {report}"
    );
    assert_eq!(report["errors"], 0, "{report}\n{stderr}");
    // A smoke run drains well within its limit: every accepted article counts as processed.
    assert_eq!(report["drain_timed_out"], false, "{report}\n{stderr}");
    assert_eq!(report["articles_processed"], report["articles"], "{report}");
    assert_eq!(report["articles_in_flight"], 0, "{report}");
    assert_eq!(report["events_in_flight"], 0, "{report}");
}
