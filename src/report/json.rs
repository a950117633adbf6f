//! The JSON report: every vector with its verdict, level, requirements, duration and exchanges.

use super::{RunReport, Verdict, message};
use serde_json::json;

/// The run as pretty JSON; exchanges are the redacted recordings.
pub fn json(report: &RunReport<'_>) -> anyhow::Result<String> {
    let vectors: Vec<serde_json::Value> = report
        .results
        .iter()
        .map(|result| {
            json!({
                "id": result.id,
                "file": result.path,
                "title": result.title,
                "level": result.level,
                "requirements": result.requirements,
                "verdict": Verdict::of(result, report.profile).as_str(),
                "message": message(result),
                "duration_ms": result.duration.as_millis() as u64,
                "steps": result.steps,
            })
        })
        .collect();
    let levels: serde_json::Map<String, serde_json::Value> = report
        .summary
        .by_level
        .iter()
        .map(|(level, (passed, judged))| {
            (
                level.as_str().to_string(),
                json!({"passed": passed, "judged": judged}),
            )
        })
        .collect();
    let document = json!({
        "tool": "collections-conformance",
        "version": env!("CARGO_PKG_VERSION"),
        "target": report.target,
        "profile": format!("{:?}", report.profile).to_lowercase(),
        "duration_ms": report.duration.as_millis() as u64,
        "summary": {
            "levels": levels,
            "ignored": report.summary.ignored,
            "invalid": report.summary.invalid,
            "line": report.summary.render(report.profile),
        },
        "vectors": vectors,
        "requirements": report.coverage,
    });
    Ok(serde_json::to_string_pretty(&document)?)
}
