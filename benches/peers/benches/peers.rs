//! The full permission check in this crate, casbin and Cedar, on the same rosters, in one
//! criterion run. Ids read `peers/<engine>/<case>/<roster>`. Answers are asserted equal
//! before anything is timed, and each timed iteration asks every question of its case.
//!
//! Also prints bytes per membership for each engine, measured with a counting allocator.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use peers::{Casbin, Cedar, CedarEncoding, Ours, Roster, questions};

const ROSTERS: [(&str, u64, u64, usize); 3] = [("10", 1, 10, 0), ("10000", 1, 10_000, 0), ("1000x10", 1_000, 10, 500)];

fn bytes_per_membership<T>(roster: &Roster, build: impl FnOnce() -> T) -> (T, f64) {
    let mut built = None;
    let counts = allocation_counter::measure(|| built = Some(build()));
    let memberships: usize = roster.orgs.iter().map(|(_, people)| people.len()).sum();
    (built.unwrap(), counts.bytes_current as f64 / memberships as f64)
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for (label, orgs, members, org) in ROSTERS {
        let roster = Roster::new(orgs, members);
        let (ours, ours_bytes) = bytes_per_membership(&roster, || Ours::new(&roster));
        let (casbin, casbin_bytes) = bytes_per_membership(&roster, || Casbin::new(&roster));
        let (groups, groups_bytes) = bytes_per_membership(&roster, || Cedar::new(&roster, CedarEncoding::ActionGroups));
        let (lists, lists_bytes) = bytes_per_membership(&roster, || Cedar::new(&roster, CedarEncoding::ActionLists));
        println!(
            "memory/{label}: bytes per membership: membership {ours_bytes:.0}, casbin {casbin_bytes:.0}, \
             cedar action groups {groups_bytes:.0}, cedar action lists {lists_bytes:.0}"
        );
        let mut group = c.benchmark_group("peers");
        for (case, qs, expected) in questions(&roster, org) {
            // A benchmark of different answers is worthless.
            let ours_qs: Vec<_> = qs.iter().map(|q| ours.question(q)).collect();
            let casbin_qs: Vec<_> = qs.iter().map(Casbin::question).collect();
            let cedar_qs: Vec<_> = qs.iter().map(Cedar::question).collect();
            for (i, q) in qs.iter().enumerate() {
                let answers = [
                    Ours::allows(&ours_qs[i]),
                    ours.allows_with_lookup(q),
                    casbin.allows(&casbin_qs[i]),
                    groups.allows(&cedar_qs[i]),
                    lists.allows(&cedar_qs[i]),
                ];
                assert_eq!(answers, [expected; 5], "{case}: {q:?}");
            }
            let per_question = qs.len() as u64;
            group.throughput(criterion::Throughput::Elements(per_question));
            group.bench_with_input(BenchmarkId::new(format!("membership/{case}"), label), &ours_qs, |b, qs| {
                b.iter(|| assert!(qs.iter().all(|q| Ours::allows(black_box(q)) == expected)));
            });
            group.bench_with_input(BenchmarkId::new(format!("membership_lookup/{case}"), label), &qs, |b, qs| {
                b.iter(|| assert!(qs.iter().all(|q| ours.allows_with_lookup(black_box(q)) == expected)));
            });
            group.bench_with_input(BenchmarkId::new(format!("casbin/{case}"), label), &casbin_qs, |b, qs| {
                b.iter(|| assert!(qs.iter().all(|q| casbin.allows(black_box(q)) == expected)));
            });
            group.bench_with_input(BenchmarkId::new(format!("cedar_groups/{case}"), label), &cedar_qs, |b, qs| {
                b.iter(|| assert!(qs.iter().all(|q| groups.allows(black_box(q)) == expected)));
            });
            group.bench_with_input(BenchmarkId::new(format!("cedar_lists/{case}"), label), &cedar_qs, |b, qs| {
                b.iter(|| assert!(qs.iter().all(|q| lists.allows(black_box(q)) == expected)));
            });
        }
        group.finish();
    }
    c.final_summary();
}
