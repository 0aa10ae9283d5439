//! README.md shows the permission matrix generated from the const table, never a copy
//! written by hand. Run with `BLESS=1` to rewrite the README's table after changing the matrix.

use membership::policy;

const README: &str = "README.md";

/// Checks that the section between `<!-- name:start -->` and `<!-- name:end -->` of `file`
/// (relative to the crate) is `generated`; with `BLESS` set, rewrites it instead.
#[track_caller]
pub(crate) fn check_generated(file: &str, name: &str, generated: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (format!("<!-- {name}:start -->\n"), format!("<!-- {name}:end -->"));
    let from = text.find(&start).unwrap_or_else(|| panic!("{file} lacks {start}")) + start.len();
    let to = text[from..].find(&end).unwrap_or_else(|| panic!("{file} lacks {end}")) + from;
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, format!("{}{}{}", &text[..from], generated, &text[to..])).unwrap();
    } else {
        assert_eq!(&text[from..to], generated, "{file}'s {name} is stale: run `BLESS=1 cargo test`");
    }
}

#[track_caller]
fn check_section(name: &str, generated: &str) {
    check_generated(README, name, generated);
}

#[test]
fn org_1_readme_matrix_is_generated_from_the_const_table() {
    check_section("organization-matrix", &policy::markdown_matrix());
}

#[test]
fn cus_8_readme_portal_matrix_is_generated_from_the_const_table() {
    check_section("portal-matrix", &policy::markdown_portal_matrix());
}
