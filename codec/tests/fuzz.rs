//! Fuzz-style robustness test with a fixed budget, on stable `cargo test`.
//!
//! Random bytes and random mutations of valid blobs (the seeds in
//! `tests/corpus/` plus blobs written from random value trees) must decode to
//! `Ok` or `Err`, never panic or hang, and never make the decoder ask for more
//! array capacity than the blob has bytes.

mod common;

use common::*;
use shmqueue_codec::{DecodeError, FORMAT_V1};
use std::time::Instant;

const CASES: usize = 1_000_000;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    seeds.sort();
    seeds
}

#[test]
fn corpus_seeds_are_valid_and_canonical() {
    let seeds = corpus();
    assert!(seeds.len() >= 5, "seeds: {}", seeds.len());
    for (name, blob) in seeds {
        let v = decode(&blob).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(encode(&v), blob, "{name} re-encodes to the same bytes");
    }
}

const INTERESTING: &[u8] = &[
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF,
    0x7F, 0x80,
];

fn interesting_byte(r: &mut Rng) -> u8 {
    if r.chance(2) {
        INTERESTING[r.below(INTERESTING.len() as u64) as usize]
    } else {
        r.next() as u8
    }
}

fn mutate(r: &mut Rng, blob: &mut Vec<u8>) {
    for _ in 0..1 + r.below(4) {
        let len = blob.len() as u64;
        match r.below(8) {
            0 if len > 0 => {
                let i = r.below(len) as usize;
                blob[i] ^= 1 << r.below(8);
            }
            1 if len > 0 => {
                let i = r.below(len) as usize;
                blob[i] = interesting_byte(r);
            }
            2 => blob.truncate(r.below(len + 1) as usize),
            3 => {
                let i = r.below(len + 1) as usize;
                for _ in 0..1 + r.below(4) {
                    blob.insert(i, interesting_byte(r));
                }
            }
            4 if len > 0 => {
                let i = r.below(len) as usize;
                let n = (1 + r.below(8) as usize).min(blob.len() - i);
                blob.drain(i..i + n);
            }
            5 if len > 1 => {
                // duplicate a range somewhere else
                let i = r.below(len) as usize;
                let n = (1 + r.below(16) as usize).min(blob.len() - i);
                let chunk = blob[i..i + n].to_vec();
                let at = r.below(blob.len() as u64 + 1) as usize;
                blob.splice(at..at, chunk);
            }
            6 if len > 0 => {
                // a huge or odd varint
                let i = r.below(len) as usize;
                let mut v = vec![0xFD];
                v.extend_from_slice(&(r.next() >> r.below(64)).to_le_bytes());
                blob.splice(i..(i + 1).min(blob.len()), v);
            }
            _ => blob.push(interesting_byte(r)),
        }
    }
}

fn error_offset(e: &DecodeError<BuildError>) -> usize {
    match *e {
        DecodeError::Empty | DecodeError::UnknownVersion { .. } => 0,
        DecodeError::Truncated { offset, .. }
        | DecodeError::BadVarint { offset, .. }
        | DecodeError::UnknownTag { offset, .. }
        | DecodeError::BadKeyTag { offset, .. }
        | DecodeError::LengthTooLarge { offset, .. }
        | DecodeError::CountTooLarge { offset, .. }
        | DecodeError::TooDeep { offset, .. }
        | DecodeError::TrailingBytes { offset, .. }
        | DecodeError::Builder { offset, .. } => offset,
    }
}

fn check(blob: &[u8], stats: &mut [usize; 2]) {
    let mut b = TreeBuilder::default();
    let r = shmqueue_codec::decode(blob, &mut b);
    assert!(
        b.capacity_total <= blob.len(),
        "asked for {} slots from {} bytes: {blob:02x?}",
        b.capacity_total,
        blob.len()
    );
    match r {
        Ok(v) => {
            stats[0] += 1;
            // What decodes re-encodes to something that decodes to the same value.
            let again = decode(&encode(&v)).unwrap();
            assert_eq!(again, v, "{blob:02x?}");
        }
        Err(e) => {
            stats[1] += 1;
            assert!(error_offset(&e) <= blob.len(), "{e} for {blob:02x?}");
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn fuzz_random_and_mutated_blobs() {
    let start = Instant::now();
    let mut r = Rng(0x0DDB_1A5E_5BAD_5EED);
    let mut pool: Vec<Vec<u8>> = corpus().into_iter().map(|(_, b)| b).collect();
    for _ in 0..200 {
        pool.push(encode(&random_value(&mut r, 0)));
    }
    // Check the pool itself.
    for blob in &pool {
        assert!(decode(blob).is_ok());
    }

    let mut stats = [0usize; 2];
    let mut blob = Vec::new();
    for case in 0..CASES {
        blob.clear();
        if case % 4 == 0 {
            // random bytes, mostly with a valid version byte
            if !r.chance(10) {
                blob.push(FORMAT_V1);
            }
            for _ in 0..r.below(48) {
                blob.push(interesting_byte(&mut r));
            }
        } else {
            blob.extend_from_slice(&pool[r.below(pool.len() as u64) as usize]);
            mutate(&mut r, &mut blob);
        }
        check(&blob, &mut stats);
    }
    let elapsed = start.elapsed();
    println!(
        "{CASES} cases in {elapsed:.2?}: {} ok, {} rejected",
        stats[0], stats[1]
    );
    assert_eq!(stats[0] + stats[1], CASES);
    // Both outcomes must actually be exercised.
    assert!(stats[0] > CASES / 100, "too few valid cases: {stats:?}");
    assert!(stats[1] > CASES / 2, "too few rejected cases: {stats:?}");
}
