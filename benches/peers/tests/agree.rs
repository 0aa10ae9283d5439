//! A benchmark of different answers is worthless: before anything is timed, every engine
//! must give the same answer as this crate for every cell of the matrix, a stranger and a
//! member of another organization.

use peers::{Casbin, Cedar, CedarEncoding, Ours, Roster, questions};

#[test]
fn every_engine_gives_the_same_answers() {
    for (roster, org) in [(Roster::new(1, 10), 0), (Roster::new(1, 10_000), 0), (Roster::new(1_000, 10), 500)] {
        let ours = Ours::new(&roster);
        let casbin = Casbin::new(&roster);
        let groups = Cedar::new(&roster, CedarEncoding::ActionGroups);
        let lists = Cedar::new(&roster, CedarEncoding::ActionLists);
        let mut asked = 0;
        for (case, qs, expected) in questions(&roster, org) {
            for q in &qs {
                let answers = [
                    Ours::allows(&ours.question(q)) && ours.allows_with_lookup(q),
                    casbin.allows(&Casbin::question(q)),
                    groups.allows(&Cedar::question(q)),
                    lists.allows(&Cedar::question(q)),
                ];
                assert_eq!(answers, [expected; 4], "{case}: {q:?}");
                asked += 1;
            }
        }
        assert_eq!(asked, 64 + 16 + if roster.orgs.len() > 1 { 16 } else { 0 });
    }
}
