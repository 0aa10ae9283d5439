//! Asks each engine every question of a case `ROUNDS` times, each engine in its own
//! never-inlined function, so that `valgrind --tool=callgrind --toggle-collect='*ask_*'`
//! counts the instructions of each apart: a steadier measure than time on a shared machine.
//!
//! `cargo build --release -p peers --bin instructions`, then
//! `valgrind --tool=callgrind --toggle-collect='*ask_*' target/release/instructions 10 denied`
//! (members, case) and `callgrind_annotate --inclusive=yes` the output; divide each `ask_*`
//! total by `ROUNDS` × questions.

use std::hint::black_box;

use cedar_policy::Request;
use peers::{Casbin, CasbinQuestion, Cedar, CedarEncoding, Ours, OursQuestion, Roster, questions};

const ROUNDS: usize = 100;

#[inline(never)]
fn ask_membership(questions: &[OursQuestion<'_>]) -> usize {
    (0..ROUNDS).map(|_| questions.iter().filter(|q| Ours::allows(black_box(q))).count()).sum()
}

#[inline(never)]
fn ask_casbin(engine: &Casbin, questions: &[CasbinQuestion]) -> usize {
    (0..ROUNDS).map(|_| questions.iter().filter(|q| engine.allows(black_box(q))).count()).sum()
}

#[inline(never)]
fn ask_cedar_groups(engine: &Cedar, questions: &[Request]) -> usize {
    (0..ROUNDS).map(|_| questions.iter().filter(|q| engine.allows(black_box(q))).count()).sum()
}

fn main() {
    let members: u64 = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(10);
    let only = std::env::args().nth(2).unwrap_or_default();
    let roster = Roster::new(1, members);
    let ours = Ours::new(&roster);
    let casbin = Casbin::new(&roster);
    let groups = Cedar::new(&roster, CedarEncoding::ActionGroups);
    for (case, qs, expected) in questions(&roster, 0).into_iter().filter(|(case, ..)| only.is_empty() || *case == only)
    {
        let ours_qs: Vec<_> = qs.iter().map(|q| ours.question(q)).collect();
        let casbin_qs: Vec<_> = qs.iter().map(Casbin::question).collect();
        let cedar_qs: Vec<_> = qs.iter().map(Cedar::question).collect();
        let allowed = if expected { ROUNDS * qs.len() } else { 0 };
        assert_eq!(ask_membership(&ours_qs), allowed);
        assert_eq!(ask_casbin(&casbin, &casbin_qs), allowed);
        assert_eq!(ask_cedar_groups(&groups, &cedar_qs), allowed);
        println!("{case}: {} questions × {ROUNDS} rounds per engine", qs.len());
    }
}
