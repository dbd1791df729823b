//! `dongtai-extract file`: the events of one text file, as a JSON array on stdout.

use crate::config::FileArgs;
use anyhow::Context as _;
use std::io::Write as _;

/// Read, extract, print. Unreadable or non-UTF-8 input is an error (non-zero exit).
pub fn run(args: &FileArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.path)
        .with_context(|| format!("cannot read {}", args.path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            args.path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let events = dongtai_engine::extract_standalone(&text, args.published);
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &events).context("cannot write to stdout")?;
    writeln!(out).context("cannot write to stdout")?;
    Ok(())
}
