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
                "kind": result.kind,
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
        .map(|(level, count)| {
            (
                level.as_str().to_string(),
                json!({
                    "total": count.total,
                    "judged": count.judged,
                    "passed": count.passed,
                    "not_judged": count.not_judged_total(),
                    "not_judged_by_cause": count.not_judged,
                }),
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
            "self_checks": {"passed": report.summary.self_checks.0, "ran": report.summary.self_checks.1},
            "invalid": report.summary.invalid,
            "complete": report.summary.unjudged_must.is_empty(),
            "settled": {"state_reads": report.summary.settled.0, "longest_ms": report.summary.settled.1.as_millis() as u64},
            "unjudged_must": report.summary.unjudged_must,
            "not_judged": report
                .summary
                .not_judged_reasons
                .iter()
                .map(|(reason, (cause, ids))| json!({"cause": cause, "reason": reason, "vectors": ids}))
                .collect::<Vec<_>>(),
            "line": report.summary.render(report.profile),
        },
        "vectors": vectors,
        "requirements": report.coverage,
    });
    Ok(serde_json::to_string_pretty(&document)?)
}
