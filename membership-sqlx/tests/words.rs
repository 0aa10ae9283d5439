//! The migrations are the one place SQL spells a domain word (a partial index's predicate
//! must be a literal): every quoted word there is one of the crate's codec words, so a
//! renamed role or status cannot leave an index guarding a word nothing writes.

use membership::customer::MemberRole;
use membership::organization::{InvitationStatus, OfferStatus};
use membership::{Aggregate, Role};

#[test]
fn every_word_the_migrations_spell_comes_from_a_codec() {
    let mut words: Vec<String> = Role::ALL.iter().map(ToString::to_string).collect();
    words.extend(MemberRole::ALL.iter().map(ToString::to_string));
    words.extend(InvitationStatus::ALL.iter().map(ToString::to_string));
    words.extend(OfferStatus::ALL.iter().map(ToString::to_string));
    words.extend(membership_sqlx::DeliveryStatus::ALL.iter().map(ToString::to_string));
    words.push(<membership::organization::Organization as Aggregate>::TYPE_NAME.to_owned());
    words.push(<membership::customer::Customer as Aggregate>::TYPE_NAME.to_owned());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut spelled = 0;
    for backend in ["sqlite", "postgres"] {
        for file in std::fs::read_dir(root.join(backend)).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let code: String = text.lines().filter(|line| !line.trim_start().starts_with("--")).collect();
            for (i, quoted) in code.split('\'').enumerate() {
                if i % 2 == 1 && !quoted.is_empty() {
                    assert!(words.contains(&quoted.to_owned()), "{}: '{quoted}' is no codec word", path.display());
                    spelled += 1;
                }
            }
        }
    }
    assert!(spelled >= 4, "the partial indexes' words were found ({spelled})");
}
