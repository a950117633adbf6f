//! The cross-implementation matrix: vectors x implementations, grouped by area and level, one
//! verdict per cell with the failure text one link away, and a summary per implementation.
//!
//! The same shape serves two sources: several targets of one `run` ([`Matrix::of_targets`]) and
//! the kill and tolerance matrices of `mutants` ([`Matrix::of_mutants`], faults and variants as
//! columns). The HTML is one self-contained page (no script, no external asset); every text that
//! comes from a target or a file is escaped, and ids and classes are built from indices and
//! fixed names only.

use super::{Verdict, area, message};
use crate::mutants::KillMatrix;
use crate::run::{RunOutcome, TargetRun};
use crate::runner::Suite;
use crate::vector::Level;
use crate::verdict::VectorKind;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write;

/// A matrix ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// `targets` or `mutants`.
    pub kind: &'static str,
    /// Page title.
    pub title: String,
    /// One per implementation (target, or clean/fault/variant server).
    pub columns: Vec<Column>,
    /// One per vector, sorted by area, level, id.
    pub rows: Vec<Row>,
}

/// One implementation.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    /// Unique name (the target's name, `clean`, `fault:NAME`, `variant:NAME`).
    pub name: String,
    /// Base URL, or what the fault or variant does.
    pub detail: String,
    /// How this implementation's run ended: `passed`, `failed`, `unusable`; for mutants `caught`,
    /// `survived`, `tolerated`, `intolerant`.
    pub outcome: String,
    /// Whether the outcome is the one wanted (green header) or not (red).
    pub ok: bool,
    /// Why a run was unusable, or other context.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The profile its verdicts were judged under.
    pub profile: String,
}

/// One vector.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Trial id.
    pub id: String,
    /// Everything before the last `::` of the id.
    pub area: String,
    /// Level its verdicts count at.
    pub level: Level,
    /// Target vector, oracle, or self-check.
    pub kind: VectorKind,
    /// Title.
    pub title: String,
    /// One per column, in column order.
    pub cells: Vec<Cell>,
}

/// One vector against one implementation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// `passed`, `failed`, `not_met`, `not_judged`, `invalid`, or `absent` (did not run there).
    pub verdict: &'static str,
    /// The failure text, the reason it was not judged, or a note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Judged / passed / not judged of one level in one column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Rows of this level that ran there.
    pub total: usize,
    /// Passed, failed or not met.
    pub judged: usize,
    /// Passed.
    pub passed: usize,
    /// Not judged.
    pub not_judged: usize,
}

/// A column's summary, counted as the run's own summary counts (target vectors by level,
/// oracles apart, self-checks apart, invalid files apart).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ColumnSummary {
    /// MUST target vectors.
    pub must: Counts,
    /// SHOULD target vectors.
    pub should: Counts,
    /// MAY target vectors.
    pub may: Counts,
    /// Oracle vectors.
    pub oracles: Counts,
    /// Kit self-checks: passed.
    pub self_checks_passed: usize,
    /// Kit self-checks: ran.
    pub self_checks_ran: usize,
    /// Invalid vector files.
    pub invalid: usize,
}

impl Matrix {
    /// The matrix of several targets' runs (one column each, in the order given).
    pub fn of_targets(runs: &[TargetRun]) -> Matrix {
        let mut rows: BTreeMap<String, Row> = BTreeMap::new();
        for (index, run) in runs.iter().enumerate() {
            for result in &run.results {
                let row = rows.entry(result.id.clone()).or_insert_with(|| Row {
                    id: result.id.clone(),
                    area: area(&result.id).to_string(),
                    level: result.level,
                    kind: result.kind,
                    title: result.title.clone(),
                    cells: vec![absent(); runs.len()],
                });
                // A raised level (an invariant of a higher level failed) shows in the row.
                row.level = row.level.min(result.level);
                row.cells[index] = Cell {
                    verdict: Verdict::of(result, run.profile).as_str(),
                    message: message(result).map(str::to_string),
                };
            }
        }
        let columns = unique(
            runs.iter()
                .map(|run| {
                    let (outcome, ok, note) = match &run.outcome {
                        Ok(RunOutcome::Passed) => ("passed", true, None),
                        Ok(RunOutcome::Failed) => ("failed", false, None),
                        Err(e) => ("unusable", false, Some(e.0.clone())),
                    };
                    Column {
                        name: run.name.clone(),
                        detail: run.detail.clone(),
                        outcome: outcome.into(),
                        ok,
                        note,
                        profile: profile_name(run.profile).into(),
                    }
                })
                .collect(),
        );
        Matrix {
            kind: "targets",
            title: "collections-conformance: targets compared".into(),
            columns,
            rows: sorted(rows.into_values().collect()),
        }
    }

    /// The kill and tolerance matrices with the servers as columns: the clean server, one per
    /// fault (a red cell is a vector that caught it; `not_met`, one that failed below the
    /// fault's level), one per variant (a red cell is a MUST vector that claims more than the
    /// sources). Rows come from the suite the matrix ran.
    pub fn of_mutants(matrix: &KillMatrix, suite: &Suite) -> Matrix {
        let mut columns = vec![Column {
            name: "clean".into(),
            detail: "the faithful reference server".into(),
            outcome: if matrix.clean.failures.is_empty() {
                "passed"
            } else {
                "failed"
            }
            .into(),
            ok: matrix.clean.failures.is_empty(),
            note: None,
            profile: "default".into(),
        }];
        for row in &matrix.faults {
            columns.push(Column {
                name: format!("fault:{}", row.fault),
                detail: format!(
                    "{} ({} {})",
                    row.description,
                    row.level.to_uppercase(),
                    row.requirement
                ),
                outcome: if row.caught { "caught" } else { "survived" }.into(),
                ok: row.caught,
                note: None,
                profile: format!("counts at {}", row.level),
            });
        }
        for row in &matrix.variants {
            columns.push(Column {
                name: format!("variant:{}", row.variant),
                detail: format!("{} ({})", row.description, row.sections),
                outcome: if row.passed {
                    "tolerated"
                } else {
                    "intolerant"
                }
                .into(),
                ok: row.passed,
                note: None,
                profile: "default".into(),
            });
        }
        let ignored = |id: &str| matrix.clean.ignored.iter().find(|f| f.id == id);
        let rows = suite
            .vectors
            .iter()
            .map(|loaded| {
                let id = loaded.id.as_str();
                let (level, kind, title) = match &loaded.vector {
                    Ok(vector) => (
                        vector.level,
                        if vector.is_self_check() {
                            VectorKind::SelfCheck
                        } else if vector.oracle {
                            VectorKind::Oracle
                        } else {
                            VectorKind::Target
                        },
                        vector.title.clone(),
                    ),
                    Err(_) => (
                        Level::Must,
                        VectorKind::Target,
                        loaded.path.display().to_string(),
                    ),
                };
                let not_judged = ignored(id).map(|f| Cell {
                    verdict: "not_judged",
                    message: Some(f.summary.clone()),
                });
                let mut cells = Vec::new();
                cells.push(
                    match matrix.clean.failures.iter().find(|f| f.id == id) {
                        Some(f) if f.level == "invalid" => cell("invalid", &f.summary),
                        Some(f) => cell("failed", &f.summary),
                        None => not_judged.clone().unwrap_or_else(passed),
                    },
                );
                for row in &matrix.faults {
                    cells.push(if row.killed_by.iter().any(|k| k == id) {
                        cell(
                            "failed",
                            &format!("caught fault {} (a {} fault)", row.fault, row.level),
                        )
                    } else if row.also_failed.iter().any(|k| k == id) {
                        cell(
                            "not_met",
                            &format!(
                                "failed under fault {}, at a level that does not count for a {} fault",
                                row.fault, row.level
                            ),
                        )
                    } else {
                        not_judged.clone().unwrap_or_else(passed)
                    });
                }
                for row in &matrix.variants {
                    cells.push(
                        match row.false_failures.iter().find(|f| f.id == id) {
                            Some(f) => cell("failed", &f.summary),
                            None if row.noticed_by.iter().any(|k| k == id) => cell(
                                "not_met",
                                &format!("notices variant {} (allowed below MUST)", row.variant),
                            ),
                            None => not_judged.clone().unwrap_or_else(passed),
                        },
                    );
                }
                Row {
                    id: id.to_string(),
                    area: area(id).to_string(),
                    level,
                    kind,
                    title,
                    cells,
                }
            })
            .collect();
        Matrix {
            kind: "mutants",
            title: "collections-conformance: kill and tolerance matrices".into(),
            columns: unique(columns),
            rows: sorted(rows),
        }
    }

    /// The summary of one column, counted from its cells.
    pub fn summary(&self, column: usize) -> ColumnSummary {
        let mut summary = ColumnSummary::default();
        for row in &self.rows {
            let verdict = row.cells[column].verdict;
            if verdict == "absent" {
                continue;
            }
            if row.kind == VectorKind::SelfCheck {
                summary.self_checks_ran += 1;
                summary.self_checks_passed += usize::from(verdict == "passed");
                continue;
            }
            if verdict == "invalid" {
                summary.invalid += 1;
                continue;
            }
            let counts = match (row.kind, row.level) {
                (VectorKind::Oracle, _) => &mut summary.oracles,
                (_, Level::Must) => &mut summary.must,
                (_, Level::Should) => &mut summary.should,
                (_, Level::May) => &mut summary.may,
            };
            counts.total += 1;
            match verdict {
                "passed" => {
                    counts.judged += 1;
                    counts.passed += 1;
                }
                "failed" | "not_met" => counts.judged += 1,
                _ => counts.not_judged += 1,
            }
        }
        summary
    }

    /// The matrix as pretty JSON: columns with their summaries, rows with one cell per column
    /// keyed by column name.
    pub fn json(&self) -> anyhow::Result<String> {
        let columns: Vec<serde_json::Value> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                let mut value = serde_json::to_value(column).unwrap_or_default();
                value["summary"] = serde_json::to_value(self.summary(i)).unwrap_or_default();
                value
            })
            .collect();
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                let cells: serde_json::Map<String, serde_json::Value> = self
                    .columns
                    .iter()
                    .zip(&row.cells)
                    .map(|(column, cell)| {
                        (
                            column.name.clone(),
                            serde_json::to_value(cell).unwrap_or_default(),
                        )
                    })
                    .collect();
                json!({
                    "id": row.id,
                    "area": row.area,
                    "level": row.level,
                    "kind": row.kind,
                    "title": row.title,
                    "cells": cells,
                })
            })
            .collect();
        Ok(serde_json::to_string_pretty(&json!({
            "tool": "collections-conformance",
            "version": env!("CARGO_PKG_VERSION"),
            "kind": self.kind,
            "columns": columns,
            "rows": rows,
        }))?)
    }

    /// The matrix as one self-contained HTML page.
    pub fn html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
            escape(&self.title),
            escape(&self.title)
        );
        self.write_summary(&mut out);
        self.write_differences(&mut out);
        self.write_grid(&mut out);
        self.write_messages(&mut out);
        out.push_str("</body></html>\n");
        out
    }

    /// One row per implementation: outcome and counts.
    fn write_summary(&self, out: &mut String) {
        out.push_str("<h2>Implementations</h2>\n<table id=\"summary\"><tr><th>implementation</th><th>outcome</th><th>MUST judged / passed / not judged</th><th>SHOULD judged / passed / not judged</th><th>MAY judged / passed / not judged</th><th>oracles</th><th>self-checks</th><th>invalid</th></tr>\n");
        let counts = |c: Counts| {
            format!(
                "{}/{} judged, {} passed, {} not judged",
                c.judged, c.total, c.passed, c.not_judged
            )
        };
        for (i, column) in self.columns.iter().enumerate() {
            let s = self.summary(i);
            let note = column
                .note
                .as_deref()
                .map(|n| format!("<div class=\"note\">{}</div>", escape(n)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "<tr class=\"impl\" data-column=\"{i}\"><td><b>{}</b><div class=\"detail\">{} · profile {}</div></td><td class=\"{}\">{}{note}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}/{}</td><td>{}</td></tr>",
                escape(&column.name),
                escape(&column.detail),
                escape(&column.profile),
                if column.ok { "ok" } else { "bad" },
                escape(&column.outcome),
                counts(s.must),
                counts(s.should),
                counts(s.may),
                counts(s.oracles),
                s.self_checks_passed,
                s.self_checks_ran,
                s.invalid,
            );
        }
        out.push_str("</table>\n");
    }

    /// The vectors whose verdict is not `passed` everywhere, linked to their rows, so a long
    /// grid's few red cells are one click away.
    fn write_differences(&self, out: &mut String) {
        let links: Vec<String> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.cells.iter().any(|c| c.verdict != "passed"))
            .map(|(r, row)| format!("<a href=\"#r{r}\">{}</a>", escape(&row.id)))
            .collect();
        let _ = writeln!(
            out,
            "<p id=\"differences\"><b>{} vector(s) not passed everywhere:</b> {}</p>",
            links.len(),
            if links.is_empty() {
                "none".to_string()
            } else {
                links.join(", ")
            }
        );
    }

    /// Vectors x implementations, a header row per area and level.
    fn write_grid(&self, out: &mut String) {
        out.push_str(
            "<h2>Vectors</h2>\n<table id=\"matrix\"><thead><tr><th>vector</th><th>level</th>",
        );
        for column in &self.columns {
            let _ = write!(
                out,
                "<th class=\"{}\" title=\"{}\">{}</th>",
                if column.ok { "ok" } else { "bad" },
                escape(&column.detail),
                escape(&column.name)
            );
        }
        out.push_str("</tr></thead><tbody>\n");
        let mut group: Option<(&str, Level)> = None;
        for (r, row) in self.rows.iter().enumerate() {
            if group != Some((&row.area, row.level)) {
                group = Some((&row.area, row.level));
                let _ = writeln!(
                    out,
                    "<tr class=\"group\"><th colspan=\"{}\">{} · {}</th></tr>",
                    self.columns.len() + 2,
                    escape(if row.area.is_empty() {
                        "(top)"
                    } else {
                        &row.area
                    }),
                    row.level.label()
                );
            }
            let _ = write!(
                out,
                "<tr id=\"r{r}\"><td title=\"{}\">{}</td><td>{}</td>",
                escape(&row.title),
                escape(&row.id),
                row.level.label()
            );
            for (c, cell) in row.cells.iter().enumerate() {
                let label = label(cell.verdict);
                match &cell.message {
                    Some(text) => {
                        let first = text.lines().next().unwrap_or_default();
                        let _ = write!(
                            out,
                            "<td class=\"v-{}\" title=\"{}\"><a href=\"#m{r}-{c}\">{label}</a></td>",
                            cell.verdict,
                            escape(first)
                        );
                    }
                    None => {
                        let _ = write!(out, "<td class=\"v-{}\">{label}</td>", cell.verdict);
                    }
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }

    /// Every cell's text, anchored so the cell links to it; failures first.
    fn write_messages(&self, out: &mut String) {
        out.push_str("<h2>Failure texts</h2>\n");
        for rank in [
            ["failed", "invalid"],
            ["not_met", "not_met"],
            ["not_judged", "absent"],
        ] {
            for (r, row) in self.rows.iter().enumerate() {
                for (c, cell) in row.cells.iter().enumerate() {
                    let Some(text) = &cell.message else { continue };
                    if !rank.contains(&cell.verdict) {
                        continue;
                    }
                    let _ = writeln!(
                        out,
                        "<div class=\"msg\" id=\"m{r}-{c}\"><h3><a href=\"#r{r}\">{}</a> · {} · <span class=\"v-{}\">{}</span></h3><pre>{}</pre></div>",
                        escape(&row.id),
                        escape(&self.columns[c].name),
                        cell.verdict,
                        label(cell.verdict),
                        escape(text)
                    );
                }
            }
        }
    }
}

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1b1f24; }
h1 { font-size: 1.4rem; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f6f8fa; }
th.ok, td.ok { background: #dafbe1; } th.bad, td.bad { background: #ffebe9; }
tr.group th { background: #eaeef2; font-weight: 600; }
.detail, .note { color: #57606a; font-size: 12px; max-width: 40rem; }
.note { white-space: pre-wrap; }
.v-passed { background: #dafbe1; } .v-failed, .v-invalid { background: #ff8182; font-weight: 600; }
.v-not_met { background: #fff8c5; } .v-not_judged, .v-absent { background: #eaeef2; color: #57606a; }
span[class^="v-"] { padding: 0 .3rem; border-radius: 3px; }
td a { color: inherit; }
.msg { border: 1px solid #d0d7de; border-radius: 6px; margin: .5rem 0; padding: 0 .8rem; }
.msg:target { outline: 3px solid #0969da; }
.msg h3 { font-size: 13px; }
pre { background: #f6f8fa; padding: .5rem; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
"#;

fn label(verdict: &str) -> &'static str {
    match verdict {
        "passed" => "pass",
        "failed" => "FAIL",
        "not_met" => "not met",
        "not_judged" => "not judged",
        "invalid" => "invalid",
        _ => "—",
    }
}

fn profile_name(profile: crate::runner::Profile) -> &'static str {
    match profile {
        crate::runner::Profile::Default => "default",
        crate::runner::Profile::Strict => "strict",
    }
}

fn absent() -> Cell {
    Cell {
        verdict: "absent",
        message: None,
    }
}

fn passed() -> Cell {
    Cell {
        verdict: "passed",
        message: None,
    }
}

fn cell(verdict: &'static str, text: &str) -> Cell {
    Cell {
        verdict,
        message: Some(text.to_string()),
    }
}

fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_by(|a, b| (&a.area, a.level, &a.id).cmp(&(&b.area, b.level, &b.id)));
    rows
}

/// Column names made unique (`name`, `name (2)`), since JSON cells are keyed by them.
fn unique(mut columns: Vec<Column>) -> Vec<Column> {
    let mut seen: Vec<String> = Vec::new();
    for column in &mut columns {
        let mut name = column.name.clone();
        let mut n = 1;
        while seen.contains(&name) {
            n += 1;
            name = format!("{} ({n})", column.name);
        }
        column.name = name.clone();
        seen.push(name);
    }
    columns
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_both_quotes() {
        assert_eq!(
            escape(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn duplicate_column_names_get_a_suffix() {
        let column = |name: &str| Column {
            name: name.into(),
            detail: String::new(),
            outcome: "passed".into(),
            ok: true,
            note: None,
            profile: "default".into(),
        };
        let names: Vec<String> = unique(vec![column("a"), column("a"), column("b")])
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["a", "a (2)", "b"]);
    }
}
