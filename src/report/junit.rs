//! JUnit XML: one testcase per vector, grouped in one testsuite per area.

use super::{RunReport, Verdict, area, message};
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

/// The run as JUnit XML. Failed and invalid vectors are `<failure>`/`<error>` with the full
/// failure text; tolerated SHOULD failures pass with the text in `system-out`; ignored vectors
/// are `<skipped>` with the reason.
pub fn junit(report: &RunReport<'_>) -> anyhow::Result<String> {
    let mut suites: BTreeMap<&str, TestSuite> = BTreeMap::new();
    for result in report.results {
        let verdict = Verdict::of(result, report.profile);
        let status = match verdict {
            Verdict::Passed | Verdict::NotMet => TestCaseStatus::success(),
            Verdict::Ignored => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(message(result).unwrap_or_default());
                status
            }
            Verdict::Failed | Verdict::Invalid => {
                let kind = if verdict == Verdict::Failed {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let text = message(result).unwrap_or_default();
                let mut status = TestCaseStatus::non_success(kind);
                status.set_message(first_line(text));
                status.set_type(format!("{} {}", result.level.label(), verdict.as_str()));
                status.set_description(text);
                status
            }
        };
        let mut case = TestCase::new(result.id.as_str(), status);
        let classname = match area(&result.id) {
            "" => "vectors",
            area => area,
        };
        case.set_classname(classname);
        case.set_time(result.duration);
        case.add_property(Property::new("level", result.level.as_str()));
        case.add_property(Property::new("verdict", verdict.as_str()));
        case.add_property(Property::new("requirements", result.requirements.join(" ")));
        case.add_property(Property::new("file", result.path.display().to_string()));
        if verdict == Verdict::NotMet {
            case.set_system_out(format!(
                "not met ({} is not enforced by the {:?} profile):\n{}",
                result.level.label(),
                report.profile,
                message(result).unwrap_or_default()
            ));
        }
        suites
            .entry(classname)
            .or_insert_with(|| TestSuite::new(classname))
            .add_test_case(case);
    }
    // Requirements without a vector fail here as they fail their `requirement::` trial.
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
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(format!("requirement::{}", coverage.id), status);
        case.set_classname("requirements");
        case.add_property(Property::new("level", coverage.level.as_str()));
        case.add_property(Property::new("vectors", coverage.vectors.join(" ")));
        case.add_property(Property::new("source", coverage.source.as_str()));
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

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}
