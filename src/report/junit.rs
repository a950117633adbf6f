//! JUnit XML: one testcase per vector, grouped in one testsuite per area.

use super::{RunReport, Verdict, area, message};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

/// The run as JUnit XML. Failed and invalid vectors are `<failure>`/`<error>` with the full
/// failure text. A SHOULD vector not met under the default profile is `<skipped>` with a message
/// that says so (CI views show skipped cases; a plain pass would hide it), and so is a vector
/// that was not judged, with the reason. Text is made XML-safe first: one stray character from
/// the target must not make CI drop the whole file.
pub fn junit(report: &RunReport<'_>) -> anyhow::Result<String> {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for result in report.results {
        let verdict = Verdict::of(result, report.profile);
        let text = xml_safe(message(result).unwrap_or_default());
        let status = match verdict {
            Verdict::Passed => TestCaseStatus::success(),
            Verdict::NotMet => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(format!(
                    "{} not met (tolerated by the {:?} profile; --strict fails on it): {}",
                    result.level.label(),
                    report.profile,
                    first_line(&text)
                ));
                status.set_type("not met");
                status.set_description(text.clone());
                status
            }
            Verdict::NotJudged => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(format!("not judged: {text}"));
                status.set_type("not judged");
                status
            }
            Verdict::Failed | Verdict::Invalid => {
                let kind = if verdict == Verdict::Failed {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut status = TestCaseStatus::non_success(kind);
                status.set_message(first_line(&text));
                status.set_type(format!("{} {}", result.level.label(), verdict.as_str()));
                status.set_description(text.clone());
                status
            }
        };
        let mut case = TestCase::new(xml_safe(&result.id), status);
        let classname = match area(&result.id) {
            "" => "vectors",
            area => area,
        };
        case.set_classname(xml_safe(classname));
        case.set_time(result.duration);
        case.add_property(Property::new("kind", kind_name(result)));
        case.add_property(Property::new("level", result.level.as_str()));
        case.add_property(Property::new("verdict", verdict.as_str()));
        case.add_property(Property::new("requirements", result.requirements.join(" ")));
        case.add_property(Property::new(
            "file",
            xml_safe(&result.path.display().to_string()),
        ));
        suites
            .entry(classname)
            .or_insert_with(|| TestSuite::new(xml_safe(classname)))
            .add_test_case(case);
    }
    // A requirement passes here as its `requirement::` trial does: when a judged vector checked it.
    let mut requirements = TestSuite::new("requirements");
    for coverage in &report.coverage {
        let status = if coverage.vectors.is_empty() {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!(
                "requirement {} is covered by no vector",
                coverage.id
            ));
            status.set_type("coverage");
            status
        } else if coverage.judged_by.is_empty() {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!(
                "not judged: no vector that checks {} was judged in this run",
                coverage.id
            ));
            status.set_type("not judged");
            status
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(format!("requirement::{}", coverage.id), status);
        case.set_classname("requirements");
        case.add_property(Property::new("level", coverage.level.as_str()));
        case.add_property(Property::new("vectors", coverage.vectors.join(" ")));
        case.add_property(Property::new("judged_by", coverage.judged_by.join(" ")));
        case.add_property(Property::new("source", xml_safe(&coverage.source)));
        requirements.add_test_case(case);
    }
    let mut junit = Report::new("collections-conformance");
    junit.set_time(report.duration);
    junit.add_test_suites(suites.into_values());
    if !report.coverage.is_empty() {
        junit.add_test_suite(requirements);
    }
    Ok(junit.to_string()?)
}

fn kind_name(result: &crate::verdict::VectorResult) -> &'static str {
    match result.kind {
        crate::verdict::VectorKind::Target => "target",
        crate::verdict::VectorKind::Oracle => "oracle",
        crate::verdict::VectorKind::SelfCheck => "self-check",
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

/// Replaces what XML 1.0 forbids (control characters other than tab, newline and carriage
/// return; U+FFFE and U+FFFF) with U+FFFD, so any parser accepts the file.
pub fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn xml_forbidden_characters_are_replaced() {
        assert_eq!(
            super::xml_safe("a\u{fffe}b\u{ffff}c\u{1}d\te\nf"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\te\nf"
        );
    }
}
