//! The HTML report: one self-contained file (no scripts, no external assets) with the summary by
//! level and area, then every vector, problems first, with its requirements and exchanges.

use super::{RunReport, Verdict, area, message};
use crate::exchange::Exchange;
use crate::verdict::VectorResult;
use std::collections::BTreeMap;
use std::fmt::Write;

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1b1f24; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
.meta { color: #57606a; margin-top: 0; }
.summary { font-size: 1.25rem; font-weight: 600; padding: .75rem 1rem; border-radius: 6px; background: #f6f8fa; border: 1px solid #d0d7de; }
.summary.failed { background: #ffebe9; border-color: #ff8182; }
.summary.passed { background: #dafbe1; border-color: #4ac26b; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.verdict { font-weight: 600; text-transform: uppercase; font-size: .8rem; padding: .1rem .4rem; border-radius: 4px; }
.v-passed { background: #dafbe1; } .v-failed, .v-invalid { background: #ffebe9; } .v-not_met { background: #fff8c5; } .v-not_judged { background: #eaeef2; }
.summary.incomplete { background: #fff8c5; border-color: #d4a72c; }
details { border: 1px solid #d0d7de; border-radius: 6px; margin: .4rem 0; padding: .3rem .8rem; }
summary { cursor: pointer; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
"#;

/// The run as one HTML page.
pub fn html(report: &RunReport<'_>) -> anyhow::Result<String> {
    let mut out = String::new();
    let failed = report.results.iter().any(|r| {
        matches!(
            Verdict::of(r, report.profile),
            Verdict::Failed | Verdict::Invalid
        )
    });
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>collections-conformance report</title><style>{STYLE}</style></head><body>\n"
    );
    let _ = writeln!(out, "<h1>collections-conformance report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"meta\">target {} · profile {:?} · {} vectors · {:.1} s</p>",
        escape(&report.target),
        report.profile,
        report.results.len(),
        report.duration.as_secs_f64()
    );
    let state = if failed {
        "failed"
    } else if !report.summary.unjudged_must.is_empty() {
        "incomplete"
    } else {
        "passed"
    };
    let rendered = report.summary.render(report.profile);
    let mut lines = rendered.lines();
    let _ = writeln!(
        out,
        "<p class=\"summary {state}\" id=\"summary\">{}</p>",
        escape(lines.next().unwrap_or_default())
    );
    let details: Vec<&str> = lines.collect();
    if !details.is_empty() {
        let _ = writeln!(out, "<ul class=\"gaps\">");
        for line in details {
            let _ = writeln!(out, "<li>{}</li>", escape(line.trim()));
        }
        let _ = writeln!(out, "</ul>");
    }

    write_area_table(&mut out, report);

    let mut ordered: Vec<&VectorResult> = report.results.iter().collect();
    ordered.sort_by_key(|r| (Verdict::of(r, report.profile).rank(), r.id.clone()));
    let _ = writeln!(out, "<h2>Vectors</h2>");
    for result in &ordered {
        write_vector(&mut out, result, report);
    }
    write_requirements(&mut out, report);
    out.push_str("</body></html>\n");
    Ok(out)
}

/// Requirement x vectors: which sentence of the documentation each verdict rests on.
fn write_requirements(out: &mut String, report: &RunReport<'_>) {
    if report.coverage.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2>Requirements</h2><table><tr><th>requirement</th><th>level</th><th>statement</th><th>vectors</th></tr>"
    );
    for coverage in &report.coverage {
        let vectors = if coverage.vectors.is_empty() {
            "<b>none</b>".to_string()
        } else if coverage.judged_by.is_empty() {
            format!(
                "<b>not judged in this run</b> ({})",
                escape(&coverage.vectors.join(", "))
            )
        } else {
            escape(&coverage.vectors.join(", "))
        };
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{vectors}</td></tr>",
            escape(&coverage.source),
            escape(&coverage.id),
            coverage.level.label(),
            escape(&coverage.statement),
        );
    }
    out.push_str("</table>\n");
}

fn write_area_table(out: &mut String, report: &RunReport<'_>) {
    let mut areas: BTreeMap<&str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for result in report.results {
        let verdict = Verdict::of(result, report.profile).as_str();
        *areas
            .entry(area(&result.id))
            .or_default()
            .entry(verdict)
            .or_default() += 1;
    }
    let columns = ["passed", "failed", "not_met", "not_judged", "invalid"];
    let _ = writeln!(out, "<h2>By area</h2><table><tr><th>area</th>");
    for column in columns {
        let _ = write!(out, "<th>{}</th>", column.replace('_', " "));
    }
    out.push_str("</tr>\n");
    for (name, counts) in areas {
        let _ = write!(
            out,
            "<tr><td>{}</td>",
            escape(if name.is_empty() { "(top)" } else { name })
        );
        for column in columns {
            let _ = write!(out, "<td>{}</td>", counts.get(column).copied().unwrap_or(0));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn write_vector(out: &mut String, result: &VectorResult, report: &RunReport<'_>) {
    let verdict = Verdict::of(result, report.profile);
    let open = if matches!(verdict, Verdict::Failed | Verdict::Invalid) {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<details{open}><summary><span class=\"verdict v-{v}\">{v}</span> <b>{id}</b> [{level}] {title}</summary>",
        v = verdict.as_str(),
        id = escape(&result.id),
        level = result.level.label(),
        title = escape(&result.title),
    );
    let _ = writeln!(
        out,
        "<p>requirements: {} · file {} · {} ms</p>",
        escape(&result.requirements.join(", ")),
        escape(&result.path.display().to_string()),
        result.duration.as_millis()
    );
    if let Some(text) = message(result) {
        let _ = writeln!(out, "<pre>{}</pre>", escape(text));
    }
    for step in &result.steps {
        let _ = writeln!(
            out,
            "<p><b>{}</b> — {}</p>",
            escape(&step.name),
            if step.passed { "met" } else { "not met" }
        );
        for exchange in &step.exchanges {
            write_exchange(out, exchange);
        }
    }
    out.push_str("</details>\n");
}

fn write_exchange(out: &mut String, exchange: &Exchange) {
    let request = &exchange.request;
    let mut text = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        let _ = writeln!(text, "{name}: {value}");
    }
    if let Some(body) = &request.body {
        let _ = write!(text, "\n{body}\n");
    }
    text.push_str("\n---\n");
    match &exchange.response {
        Ok(response) => {
            let _ = writeln!(text, "HTTP {}", response.status);
            for (name, value) in &response.headers {
                let _ = writeln!(text, "{name}: {value}");
            }
            let _ = write!(text, "\n{}", response.body);
        }
        Err(error) => {
            let _ = write!(text, "no response: {error}");
        }
    }
    let _ = writeln!(out, "<pre>{}</pre>", escape(&text));
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
