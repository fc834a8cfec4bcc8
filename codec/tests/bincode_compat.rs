//! The hand-written primitives agree with bincode 2 `config::standard()`.

mod common;

use common::*;
use shmqueue_codec::Writer;

fn bincode_bytes<T: bincode::Encode>(v: T) -> Vec<u8> {
    let mut out = Vec::new();
    bincode::encode_into_std_write(v, &mut out, bincode::config::standard()).unwrap();
    out
}

fn interesting_ints(r: &mut Rng) -> Vec<i64> {
    let mut v = vec![0, 1, -1, i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1];
    for edge in [
        125i64,
        126,
        250,
        251,
        32767,
        32768,
        65535,
        65536,
        1 << 31,
        1 << 32,
    ] {
        for d in -2..=2 {
            v.push(edge + d);
            v.push(-(edge + d));
        }
    }
    for _ in 0..100_000 {
        v.push((r.next() as i64) >> r.below(64));
    }
    v
}

#[test]
fn ints_and_lengths_match_bincode() {
    let mut r = Rng(42);
    let mut w = Writer::new();
    for i in interesting_ints(&mut r) {
        w.clear();
        w.int(i);
        assert_eq!(&w.as_bytes()[2..], &bincode_bytes(i)[..], "int {i}");
        assert_eq!(decode(w.as_bytes()).unwrap(), Value::Int(i));

        let len = (i as u64 >> 44) as usize; // lengths up to 1 MiB
        w.clear();
        w.list(len).unwrap();
        assert_eq!(
            &w.as_bytes()[2..],
            &bincode_bytes(len as u64)[..],
            "len {len}"
        );
    }
}

#[test]
fn floats_match_bincode() {
    let mut r = Rng(7);
    let mut w = Writer::new();
    for _ in 0..10_000 {
        let f = f64::from_bits(r.next());
        w.clear();
        w.float(f);
        assert_eq!(&w.as_bytes()[2..], &bincode_bytes(f)[..]);
    }
}

/// On arbitrary bytes after an INT tag, the decoder accepts exactly what
/// bincode accepts (same value, all bytes consumed) and rejects the rest.
#[test]
fn varint_decoding_matches_bincode() {
    let mut r = Rng(99);
    let markers = [0u8, 7, 250, 251, 252, 253, 254, 255];
    for _ in 0..200_000 {
        let mut bytes = Vec::new();
        bytes.push(if r.chance(2) {
            markers[r.below(8) as usize]
        } else {
            r.next() as u8
        });
        for _ in 0..r.below(10) {
            bytes.push(r.next() as u8);
        }
        let reference: Result<(i64, usize), _> =
            bincode::decode_from_slice(&bytes, bincode::config::standard());
        let mut blob = vec![1, 3];
        blob.extend_from_slice(&bytes);
        match (reference, decode(&blob)) {
            (Ok((v, used)), Ok(Value::Int(ours))) if used == bytes.len() => assert_eq!(v, ours),
            (Ok((_, used)), Err(_)) if used != bytes.len() => {}
            (Err(_), Err(_)) => {}
            (reference, ours) => panic!("{bytes:02x?}: bincode {reference:?}, ours {ours:?}"),
        }
    }
}
