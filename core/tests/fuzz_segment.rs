//! Fuzzing the queue's open and recovery paths on damaged segments (issue 5), on stable
//! `cargo test` with a fixed budget: a process with write access scribbling over a segment must
//! make operations fail with errors, never panic, loop for ever or read out of bounds.
//!
//! Each case builds a small queue in an interesting state (ready, leased, expired, delayed, dead
//! and DONE records, positions wrapped several times), damages it with random and structured
//! writes (header fields, geometry, positions, counters, the redo journal, lease slots, record
//! headers, payload bytes), sometimes lets a lock holder die (a thread locks the robust mutex and
//! exits, so the next operation runs the real recovery), then calls every operation through the
//! handle that was open before the damage and through a fresh open, each under `catch_unwind`.
//! Finally `Queue::remove` must still delete the queue, so operators can recover.
//!
//! No hang: every case runs in its own thread; the test thread waits for it with a deadline
//! (`CASE_DEADLINE`, far above the milliseconds a case takes) and reports a case that does not
//! finish, with its damage, as a hang (and what its thread is doing in the kernel).
//!
//! Out of scope: the bytes of the lock itself (0x40..0x80) and `init_state`. glibc trusts the
//! thread id and the robust-list pointers it keeps inside a pthread mutex: garbage there blocks
//! callers or crashes glibc itself, which no check in the queue can prevent (a holder that does
//! not exist can at best be detected after a wait). A cleared `init_state` only makes an opener
//! wait and refuse (tested once, below). The queue writing into its own lock, as recovery did
//! from a damaged journal, is in scope, and was a bug.
//!
//! A failing case is printed in the corpus format; saved as `tests/corpus_segment/<name>.case`
//! it is replayed by `corpus_cases_stay_harmless`. The named tests in `damaged_*.rs` pin the bugs
//! the fuzzer (or reading the code) found, each with the exact damage that triggered it; the
//! harness and the damage generators (by what they damage) are in `damage/`.
//!
//! Reproduce one case: `SHMQUEUE_FUZZ_SEED=<seed> cargo test -p shmqueue-core --test fuzz_segment`
//! (`SHMQUEUE_FUZZ_TRACE=1` names each case on stderr before it runs, for crashes that kill the
//! process); replay some corpus files: `SHMQUEUE_FUZZ_CORPUS=<part of a name>`; run more:
//! `SHMQUEUE_FUZZ_CASES=<n>` (starting at seed `SHMQUEUE_FUZZ_FIRST`), or `SHMQUEUE_LONG=1` for
//! ten times the budget.

mod damage;

use std::time::Instant;

use damage::*;

#[test]
fn damaged_segments_give_errors_never_panics_hangs_or_stray_accesses() {
    let only = std::env::var("SHMQUEUE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let first = std::env::var("SHMQUEUE_FUZZ_FIRST")
        .ok()
        .and_then(|v| v.parse().ok());
    let (first, cases) = match only {
        Some(seed) => (seed, 1),
        None => (first.unwrap_or(FIRST_SEED), budget()),
    };
    let started = Instant::now();
    let mut total = Tally::default();
    let mut failed = Vec::new();
    // A crash of the whole process (a signal) leaves no report: this names the case first.
    let trace = std::env::var("SHMQUEUE_FUZZ_TRACE").is_ok_and(|v| v == "1");
    for seed in first..first + cases {
        if trace {
            eprintln!("case {seed}");
        }
        let name = queue_name(&format!("{seed:x}"));
        let case_name = name.clone();
        let r = &Rng::new(seed);
        let spec = spec_for(r);
        let damage_seed = r.next();
        let watched = watched(move |progress| {
            let result = run_case(&case_name, &spec, DamageFrom::Seed(damage_seed), progress);
            (spec, result)
        });
        match watched {
            Watched::Done((spec, result)) => {
                let t = result.tally;
                total.cases += 1;
                total.dead_holders += t.dead_holders;
                total.ops_ok += t.ops_ok;
                total.ops_err += t.ops_err;
                total.fresh_opens_refused += t.fresh_opens_refused;
                total.all_refused += t.all_refused;
                if only.is_some() || !result.failures.is_empty() {
                    let text = corpus_text(&spec, &result.damage, &format!("seed {seed}"));
                    println!("{text}");
                }
                if !result.failures.is_empty() {
                    let text = corpus_text(&spec, &result.damage, &format!("seed {seed}"));
                    failed.push(format!(
                        "seed {seed}: {}\n{text}",
                        result.failures.join("; ")
                    ));
                }
            }
            Watched::Hung(steps) => {
                let _ = Queue::remove(&name);
                failed.push(format!("seed {seed}: HANG {steps}"));
                break; // The stuck thread keeps a core busy: stop here.
            }
            Watched::Crashed(why) => {
                let _ = Queue::remove(&name);
                failed.push(format!("seed {seed}: the case itself failed: {why}"));
            }
        }
        if failed.len() >= 10 {
            break;
        }
    }
    println!(
        "fuzz_segment: {} cases (seeds {first:#x}..) in {:.1} s: {} with a dead lock holder, \
         {} operations Ok, {} Err, {} fresh opens refused, {} cases with every operation refused",
        total.cases,
        started.elapsed().as_secs_f64(),
        total.dead_holders,
        total.ops_ok,
        total.ops_err,
        total.fresh_opens_refused,
        total.all_refused,
    );
    assert!(
        failed.is_empty(),
        "expected every damaged segment to give Ok or Err and remain removable; {} cases failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    assert!(
        total.ops_err > 0 && total.ops_ok > 0,
        "the damage never (or always) made an operation fail: {total:?}"
    );
}

/// Replays `tests/corpus_segment/*.case`: inputs that once found a bug, kept as regressions.
#[test]
fn corpus_cases_stay_harmless() {
    // SHMQUEUE_FUZZ_CORPUS=<part of a file name> replays only the matching cases.
    let only = std::env::var("SHMQUEUE_FUZZ_CORPUS").unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus_segment")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "case"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains(&only))
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no .case files in {}",
        corpus_dir().display()
    );
    let mut failed = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("read a corpus case");
        let (spec, damage) =
            parse_corpus(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = queue_name(&format!("corpus{i}"));
        let case_name = name.clone();
        match watched(move |progress| {
            run_case(&case_name, &spec, DamageFrom::Fixed(damage), progress)
        }) {
            Watched::Done(result) if result.failures.is_empty() => {}
            Watched::Done(result) => failed.push(format!(
                "{}: {}",
                path.display(),
                result.failures.join("; ")
            )),
            Watched::Hung(steps) => {
                let _ = Queue::remove(&name);
                failed.push(format!("{}: HANG {steps}", path.display()));
                break;
            }
            Watched::Crashed(why) => failed.push(format!("{}: {why}", path.display())),
        }
    }
    println!("corpus_segment: {} cases replayed", files.len());
    assert!(
        failed.is_empty(),
        "expected Ok or Err from every operation:\n{}",
        failed.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
