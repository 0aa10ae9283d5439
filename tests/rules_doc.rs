//! `docs/rules.md` is where every rule id the code cites resolves: a reader who has only the
//! repository can look up any `ORG-8`, `INV-CUS-A`, `§2.1` or `docs/rules.md#cus-3` they
//! meet. These tests scan the sources of the core, the store and the service (not their
//! build output) and hold the document and the code to each other. Run with `BLESS=1` to
//! rewrite the document's generated tables.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use membership::{ErrorCode, policy};

use crate::readme::check_generated;

const DOC: &str = "docs/rules.md";

/// What the issue asks to scan: the core's sources and tests, the store and the service.
const SCANNED: [&str; 4] = ["src", "tests", "membership-sqlx", "membership-server"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn doc() -> String {
    std::fs::read_to_string(root().join(DOC)).unwrap()
}

/// Every text file under the scanned folders, skipping build output, installed packages
/// and hidden folders: (path relative to the root, text).
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !(name == "target" || name == "node_modules" || name.starts_with('.')) {
                    walk(&path, out);
                }
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in SCANNED {
        walk(&root().join(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/"), text))
        })
        .collect()
}

/// The part of a file that is test code: a whole file under a `tests` folder, or what
/// follows the first `#[cfg(test)]` of a source file (unit tests sit at the bottom).
fn test_part<'t>(path: &str, text: &'t str) -> &'t str {
    if path.split('/').any(|segment| segment == "tests") {
        return text;
    }
    text.find("#[cfg(test)]").map_or("", |at| &text[at..])
}

/// One thing a file cites: a rule id (`ORG-8`), an anchor of the document (`org-8`) or a
/// section of the specification (`§2.1`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Citation {
    Rule(String),
    Anchor(String),
    Section(String),
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Every citation in `text`, in the forms the code uses: `ORG-8`, `CUS-3`, `INV-ORG-A` (and
/// ranges `INV-ORG-A…E`, `INV-CUS-A..C`); in test names `org_8_…`, `cus_3_…`,
/// `inv_org_a_…` and `spec_1_5_…`; links `rules.md#org-8`; and `§2.1` (not an RFC's).
fn citations(text: &str) -> BTreeSet<Citation> {
    let mut found = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or(' ');
    let starts = |i: usize, word: &str| word.chars().enumerate().all(|(k, c)| at(i + k) == c);
    let digits = |mut i: usize| {
        let from = i;
        while at(i).is_ascii_digit() {
            i += 1;
        }
        (chars[from..i].iter().collect::<String>(), i)
    };
    for i in 0..chars.len() {
        let before = if i == 0 { ' ' } else { chars[i - 1] };
        let boundary = !is_word(before) && before != '-';
        // Upper case: INV-ORG-A, ORG-8.
        for family in ["INV-ORG-", "INV-CUS-"] {
            if boundary && starts(i, family) {
                let letter = at(i + family.len());
                if letter.is_ascii_uppercase() && !is_word(at(i + family.len() + 1)) {
                    let mut last = letter;
                    let rest = i + family.len() + 1;
                    for dots in ["…", ".."] {
                        let end = at(rest + dots.chars().count());
                        if starts(rest, dots) && end.is_ascii_uppercase() {
                            last = end;
                        }
                    }
                    for each in letter..=last {
                        found.insert(Citation::Rule(format!("{family}{each}")));
                    }
                }
            }
        }
        for family in ["ORG-", "CUS-"] {
            if boundary && starts(i, family) {
                let (number, end) = digits(i + family.len());
                if !number.is_empty() && !is_word(at(end)) {
                    found.insert(Citation::Rule(format!("{family}{number}")));
                }
            }
        }
        // Snake case, in test names: org_8_…, inv_org_a_…, spec_1_5_….
        let snake = !before.is_ascii_alphanumeric();
        for (family, id) in [("org_", "ORG-"), ("cus_", "CUS-")] {
            if snake && starts(i, family) {
                let (number, end) = digits(i + family.len());
                if !number.is_empty() && !is_word(at(end)) {
                    found.insert(Citation::Rule(format!("{id}{number}")));
                }
            }
        }
        for (family, id) in [("inv_org_", "INV-ORG-"), ("inv_cus_", "INV-CUS-")] {
            let letter = at(i + family.len());
            if snake && starts(i, family) && letter.is_ascii_lowercase() && !is_word(at(i + family.len() + 1)) {
                found.insert(Citation::Rule(format!("{id}{}", letter.to_ascii_uppercase())));
            }
        }
        if snake && starts(i, "spec_") {
            let (mut section, mut end) = digits(i + 5);
            while at(end) == '_' && at(end + 1).is_ascii_digit() {
                let (more, next) = digits(end + 1);
                section = format!("{section}.{more}");
                end = next;
            }
            if !section.is_empty() {
                found.insert(Citation::Section(format!("§{section}")));
            }
        }
        // Links into the document.
        let link = concat!("rules.md", "#");
        if starts(i, link) {
            let from = i + link.len();
            let mut end = from;
            while at(end).is_ascii_alphanumeric() || at(end) == '-' {
                end += 1;
            }
            found.insert(Citation::Anchor(chars[from..end].iter().collect()));
        }
        // Sections: §2.1, but not "RFC 5321 §4.5.3".
        if chars[i] == '§' {
            let preceding: String = chars[i.saturating_sub(12)..i].iter().collect();
            let (mut section, mut end) = digits(i + 1);
            while at(end) == '.' && at(end + 1).is_ascii_digit() {
                let (more, next) = digits(end + 1);
                section = format!("{section}.{more}");
                end = next;
            }
            if !section.is_empty() && !preceding.contains("RFC") {
                found.insert(Citation::Section(format!("§{section}")));
            }
        }
    }
    found
}

/// The document's anchors (`<a id="org-8"></a>`).
fn anchors(doc: &str) -> BTreeSet<String> {
    doc.split("<a id=\"").skip(1).map(|rest| rest.split('"').next().unwrap().to_owned()).collect()
}

/// A rule id's anchor: `INV-ORG-A` → `inv-org-a`.
fn anchor_of(rule: &str) -> String {
    rule.to_ascii_lowercase()
}

/// The rule ids the document defines: its anchors that read as rule ids.
fn defined_rules(doc: &str) -> BTreeSet<String> {
    anchors(doc)
        .into_iter()
        .map(|anchor| anchor.to_ascii_uppercase())
        .filter(|id| citations(id).contains(&Citation::Rule(id.clone())))
        .collect()
}

/// Which files cite what, as `citation → files`, for the sources or their test parts.
fn cited(tests_only: bool) -> BTreeMap<Citation, BTreeSet<String>> {
    let mut by_citation: BTreeMap<Citation, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in sources() {
        let text = if tests_only { test_part(&path, &text) } else { &text };
        for citation in citations(text) {
            by_citation.entry(citation).or_default().insert(path.clone());
        }
    }
    by_citation
}

#[test]
fn rules_doc_tables_are_generated_from_the_crate() {
    check_generated(DOC, "organization-matrix", &policy::markdown_matrix());
    check_generated(DOC, "portal-matrix", &policy::markdown_portal_matrix());
    check_generated(DOC, "error-codes", &ErrorCode::markdown_table());
}

#[test]
fn rules_doc_defines_every_rule_id_section_and_anchor_the_code_cites() {
    let doc = doc();
    let (rules, anchors) = (defined_rules(&doc), anchors(&doc));
    let sections: BTreeSet<Citation> =
        citations(&doc).into_iter().filter(|c| matches!(c, Citation::Section(_))).collect();
    let missing: Vec<String> = cited(false)
        .into_iter()
        .filter(|(citation, _)| match citation {
            Citation::Rule(id) => !rules.contains(id),
            Citation::Anchor(anchor) => !anchors.contains(anchor),
            Citation::Section(_) => !sections.contains(citation),
        })
        .map(|(citation, files)| format!("{citation:?} in {files:?}"))
        .collect();
    assert!(missing.is_empty(), "{DOC} lacks what the code cites:\n{}", missing.join("\n"));
}

#[test]
fn rules_doc_lists_no_rule_id_that_no_test_cites() {
    let tested = cited(true);
    let untested: Vec<String> =
        defined_rules(&doc()).into_iter().filter(|id| !tested.contains_key(&Citation::Rule(id.clone()))).collect();
    assert!(untested.is_empty(), "{DOC} lists rule ids no test cites: {untested:?}");
}

#[test]
fn rules_doc_links_each_rule_to_a_test_that_exists() {
    let doc = doc();
    // Every entry with a rule id says where it comes from and what pins it.
    for id in defined_rules(&doc) {
        let entry = doc.split(&format!("<a id=\"{}\"></a>", anchor_of(&id))).nth(1).unwrap();
        let entry = entry.split("<a id=").next().unwrap();
        assert!(entry.contains("Source: §"), "{id} names no source section");
        assert!(entry.contains("Pinned by:"), "{id} names no test");
    }
    // Every "[`name`](../file)" link names a test function in that file.
    let mut links = 0;
    for piece in doc.split("[`").skip(1) {
        let Some((name, rest)) = piece.split_once("`](../") else { continue };
        let file = rest.split(')').next().unwrap();
        let text = std::fs::read_to_string(root().join(file)).unwrap_or_else(|_| panic!("{DOC} links {file}"));
        assert!(text.contains(&format!("fn {name}(")), "{DOC} links `{name}` in {file}, which has no such test");
        links += 1;
    }
    assert!(links > 30, "{links} test links");
}

#[test]
fn rules_doc_no_source_cites_the_specification_outside_the_repository() {
    // The word followed by `_` names a constant; followed by a section, a version or `.md`
    // it points at a file outside the repository. Inside a longer word (`INTROSPECT`) it is
    // not the word.
    let word = concat!("SP", "EC");
    let cites = |line: &str| {
        line.match_indices(word).any(|(at, _)| {
            let inside = line[..at].chars().next_back().is_some_and(char::is_alphanumeric);
            !inside && !line[at + word.len()..].starts_with('_')
        })
    };
    let outside: Vec<String> = sources()
        .into_iter()
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| cites(line))
                .map(|(number, line)| format!("{path}:{}: {}", number + 1, line.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(outside.is_empty(), "cite docs/rules.md instead:\n{}", outside.join("\n"));
}

#[test]
fn rules_doc_citations_are_read_in_every_form_the_code_uses() {
    let read = |text: &str| citations(text).into_iter().collect::<Vec<_>>();
    let rule = |id: &str| Citation::Rule(id.to_owned());
    assert_eq!(read("(ORG-8) CUS-3, INV-ORG-A."), [rule("CUS-3"), rule("INV-ORG-A"), rule("ORG-8")]);
    assert_eq!(read("INV-CUS-A..C"), [rule("INV-CUS-A"), rule("INV-CUS-B"), rule("INV-CUS-C")]);
    assert_eq!(read("INV-ORG-D…E"), [rule("INV-ORG-D"), rule("INV-ORG-E")]);
    assert_eq!(read("fn org_4_and_org_6_x() fn inv_org_c_rows()"), [rule("INV-ORG-C"), rule("ORG-4"), rule("ORG-6")]);
    assert_eq!(
        read("fn spec_1_5_x() (§2.1) RFC 5321 §4.5.3"),
        [Citation::Section("§1.5".into()), Citation::Section("§2.1".into())]
    );
    assert_eq!(read("docs/rules.md#inv-org-a"), [Citation::Anchor("inv-org-a".into())]);
    // Not citations: other words that merely look alike.
    assert!(read("fn org_ok() inv_org_invariants XORG-1 ORG-A MY-ORG-2 focus_1").is_empty());
}
