//! Round trips, golden bytes, error messages and depth limits.

mod common;

use common::*;
use shmqueue_codec::{DecodeError, EncodeError, Writer, FORMAT_V1, MAX_DEPTH};

fn roundtrip(v: Value) {
    let blob = encode(&v);
    assert_eq!(blob[0], FORMAT_V1);
    let back = decode(&blob).unwrap_or_else(|e| panic!("{v:?}: {e}"));
    assert_eq!(back, v, "blob {blob:02x?}");
}

#[test]
fn roundtrip_scalars() {
    roundtrip(Value::Null);
    roundtrip(Value::Bool(false));
    roundtrip(Value::Bool(true));
    for i in [
        0,
        1,
        -1,
        125,
        126,
        -126,
        32767,
        65535,
        i32::MAX as i64,
        u32::MAX as i64,
        i64::MIN,
        i64::MAX,
        i64::MIN + 1,
    ] {
        roundtrip(Value::Int(i));
    }
}

#[test]
fn roundtrip_floats_bit_exact() {
    for bits in [
        0.0f64.to_bits(),
        (-0.0f64).to_bits(),
        f64::INFINITY.to_bits(),
        f64::NEG_INFINITY.to_bits(),
        f64::NAN.to_bits(),
        0x7FF0_0000_0000_0001, // signaling NaN
        0xFFF8_DEAD_BEEF_0001, // negative quiet NaN with payload
        f64::MIN_POSITIVE.to_bits(),
        1, // smallest subnormal
        f64::MAX.to_bits(),
        1.5f64.to_bits(),
    ] {
        let blob = encode(&Value::Float(f64::from_bits(bits)));
        match decode(&blob).unwrap() {
            Value::Float(f) => assert_eq!(f.to_bits(), bits, "{bits:#x}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn roundtrip_strings() {
    roundtrip(s(b""));
    roundtrip(s(b"hello"));
    let all: Vec<u8> = (0..=255).collect();
    roundtrip(Value::Str(all.clone()));
    roundtrip(s(b"\xff\xfe\xc0\x80 invalid utf-8 \xed\xa0\x80"));
    roundtrip(Value::Str(vec![0; 70_000])); // u32 length varint
    roundtrip(Value::Object(
        b"O:8:\"stdClass\":1:{s:1:\"a\";i:1;}".to_vec(),
    ));
    roundtrip(Value::Object(vec![]));
    roundtrip(Value::Object(all));
}

#[test]
fn roundtrip_arrays() {
    roundtrip(Value::List(vec![]));
    roundtrip(Value::Map(vec![]));
    roundtrip(Value::List(vec![
        Value::Int(1),
        s(b"two"),
        Value::Null,
        Value::Float(3.5),
    ]));
    roundtrip(Value::Map(vec![
        (Key::Int(5), s(b"five")),
        (Key::Int(-1), Value::Bool(true)),
        (Key::Int(i64::MIN), Value::Null),
        (ks(b""), Value::Int(0)),
        (ks(b"\x00\xff\x80binary"), Value::Int(7)),
        (Key::Int(i64::MAX), Value::Float(-0.0)),
    ]));
    roundtrip(Value::Map(vec![
        (ks(b"to"), s(b"a@b")),
        (
            ks(b"items"),
            Value::List(vec![
                Value::Map(vec![(ks(b"id"), Value::Int(1))]),
                Value::List(vec![Value::List(vec![]), Value::Object(b"N;".to_vec())]),
            ]),
        ),
        (Key::Int(0), Value::Map(vec![(Key::Int(1), Value::Null)])),
    ]));
    let big: Vec<Value> = (0..1000).map(Value::Int).collect();
    roundtrip(Value::List(big));
}

#[test]
fn roundtrip_random_trees() {
    let mut r = Rng(0x5EED_1234_ABCD_0001);
    for _ in 0..2000 {
        roundtrip(random_value(&mut r, 0));
    }
}

#[test]
fn writer_clear_reuses_buffer() {
    let mut w = Writer::new();
    w.string(&[7; 1000]);
    let cap = w.as_bytes().as_ptr();
    w.clear();
    assert_eq!(w.as_bytes(), &[FORMAT_V1]);
    assert_eq!(w.depth(), 0);
    w.int(3);
    assert_eq!(w.as_bytes(), &[1, 3, 6]);
    assert_eq!(w.as_bytes().as_ptr(), cap);
}

// ---------------------------------------------------------------- golden

fn golden(v: Value, expected: &[u8]) {
    let blob = encode(&v);
    assert_eq!(blob, expected, "encoding of {v:?}");
    assert_eq!(decode(expected).unwrap(), v);
}

#[test]
fn golden_bytes() {
    golden(Value::Null, &[0x01, 0x00]);
    golden(Value::Bool(false), &[0x01, 0x01]);
    golden(Value::Bool(true), &[0x01, 0x02]);
    golden(Value::Int(0), &[0x01, 0x03, 0x00]);
    golden(Value::Int(-1), &[0x01, 0x03, 0x01]);
    golden(Value::Int(3), &[0x01, 0x03, 0x06]);
    golden(Value::Int(125), &[0x01, 0x03, 0xFA]);
    golden(Value::Int(126), &[0x01, 0x03, 0xFB, 0xFC, 0x00]);
    golden(Value::Int(-30_000), &[0x01, 0x03, 0xFB, 0x5F, 0xEA]);
    golden(
        Value::Int(-40_000),
        &[0x01, 0x03, 0xFC, 0x7F, 0x38, 0x01, 0x00],
    );
    golden(
        Value::Int(100_000),
        &[0x01, 0x03, 0xFC, 0x40, 0x0D, 0x03, 0x00],
    );
    golden(
        Value::Int(i64::MAX),
        &[
            0x01, 0x03, 0xFD, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ],
    );
    golden(
        Value::Int(i64::MIN),
        &[
            0x01, 0x03, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ],
    );
    golden(
        Value::Float(1.5),
        &[0x01, 0x04, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F],
    );
    golden(Value::Float(-0.0), &[0x01, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x80]);
    golden(s(b"a@b"), &[0x01, 0x05, 0x03, b'a', b'@', b'b']);
    golden(
        Value::Object(b"N;".to_vec()),
        &[0x01, 0x08, 0x02, b'N', b';'],
    );
    golden(Value::List(vec![]), &[0x01, 0x06, 0x00]);
    golden(
        Value::List(vec![Value::Int(1), Value::Bool(true), Value::Null]),
        &[0x01, 0x06, 0x03, 0x03, 0x02, 0x02, 0x00],
    );
    // ["to" => "a@b", "n" => 3]
    golden(
        Value::Map(vec![(ks(b"to"), s(b"a@b")), (ks(b"n"), Value::Int(3))]),
        b"\x01\x07\x02\x05\x02to\x05\x03a@b\x05\x01n\x03\x06",
    );
    // [7 => "x", -1 => null]
    golden(
        Value::Map(vec![(Key::Int(7), s(b"x")), (Key::Int(-1), Value::Null)]),
        &[
            0x01, 0x07, 0x02, 0x03, 0x0E, 0x05, 0x01, b'x', 0x03, 0x01, 0x00,
        ],
    );
}

#[test]
fn decoder_accepts_long_varint_forms() {
    // 5 written as a u16 varint: bincode accepts it, so do we.
    assert_eq!(decode(&[1, 3, 0xFB, 10, 0]).unwrap(), Value::Int(5));
}

// ---------------------------------------------------------------- errors

fn err(blob: &[u8]) -> DecodeError<BuildError> {
    match decode(blob) {
        Ok(v) => panic!("{blob:02x?} decoded to {v:?}"),
        Err(e) => e,
    }
}

fn msg(blob: &[u8]) -> String {
    err(blob).to_string()
}

#[test]
fn error_empty_and_version() {
    assert_eq!(err(&[]), DecodeError::Empty);
    assert_eq!(msg(&[]), "empty input: expected the format version byte");
    assert_eq!(
        err(&[0x07, 0x00]),
        DecodeError::UnknownVersion {
            found: 7,
            expected: 1
        }
    );
    assert_eq!(
        msg(&[0x07, 0x00]),
        "unknown format version 0x07 (expected 0x01)"
    );
}

#[test]
fn error_truncated() {
    assert_eq!(
        msg(&[0x01]),
        "input ends inside the value tag at byte 1 (0 bytes left)"
    );
    assert_eq!(
        err(&[0x01, 0x04, 0, 0]),
        DecodeError::Truncated {
            what: "float",
            offset: 2,
            left: 2
        }
    );
    assert_eq!(
        msg(&[0x01, 0x04, 0, 0]),
        "input ends inside the float at byte 2 (2 bytes left)"
    );
    assert_eq!(
        msg(&[0x01, 0x03, 0xFB, 0x00]),
        "input ends inside the int at byte 2 (2 bytes left)"
    );
    assert_eq!(
        msg(&[0x01, 0x03, 0xFD, 1, 2, 3, 4, 5, 6, 7]),
        "input ends inside the int at byte 2 (8 bytes left)"
    );
    assert_eq!(
        msg(&[0x01, 0x05]),
        "input ends inside the string at byte 2 (0 bytes left)"
    );
    assert_eq!(
        msg(&[0x01, 0x06, 0x01]),
        "list count 1 at byte 2 needs at least 1 bytes but only 0 are available"
    );
    assert_eq!(
        msg(&[0x01, 0x07, 0x01, 0x05, 0x00, 0x03]),
        "input ends inside the int at byte 6 (0 bytes left)"
    );
    assert_eq!(
        msg(&[0x01, 0x07, 0x01, 0x03, 0xFC, 0x00]),
        "input ends inside the int key at byte 4 (2 bytes left)"
    );
}

#[test]
fn error_bad_varint() {
    // 0xFE (u128) and 0xFF (reserved), on the fast path (>= 9 bytes left) and
    // on bincode's slow path near the end of the input.
    assert_eq!(
        err(&[0x01, 0x03, 0xFE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        DecodeError::BadVarint {
            what: "int",
            offset: 2,
            marker: 0xFE
        }
    );
    assert_eq!(
        msg(&[0x01, 0x03, 0xFF]),
        "invalid varint marker 0xff for the int at byte 2"
    );
    assert_eq!(
        msg(&[0x01, 0x05, 0xFE, 0]),
        "invalid varint marker 0xfe for the string at byte 2"
    );
    assert_eq!(
        msg(&[0x01, 0x06, 0xFF]),
        "invalid varint marker 0xff for the list at byte 2"
    );
}

#[test]
fn error_unknown_tag() {
    let blob = [0x01, 0x06, 0x02, 0x03, 0x00, 0x2A];
    assert_eq!(
        err(&blob),
        DecodeError::UnknownTag {
            tag: 0x2A,
            offset: 5
        }
    );
    assert_eq!(msg(&blob), "unknown value tag 0x2a at byte 5");
    assert_eq!(msg(&[0x01, 0x09]), "unknown value tag 0x09 at byte 1");
    assert_eq!(msg(&[0x01, 0xFF]), "unknown value tag 0xff at byte 1");
}

#[test]
fn error_bad_key_tag() {
    let blob = [0x01, 0x07, 0x01, 0x00, 0x00, 0x00];
    assert_eq!(err(&blob), DecodeError::BadKeyTag { tag: 0, offset: 3 });
    assert_eq!(
        msg(&blob),
        "invalid map key tag 0x00 at byte 3 (expected 0x03 INT or 0x05 STRING)"
    );
    // a float is not a key either
    assert_eq!(
        msg(&[0x01, 0x07, 0x01, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00]),
        "invalid map key tag 0x04 at byte 3 (expected 0x03 INT or 0x05 STRING)"
    );
}

#[test]
fn error_length_too_large() {
    let mut blob = vec![0x01, 0x05, 0xFB, 0x2C, 0x01];
    blob.extend_from_slice(&[b'x'; 12]);
    assert_eq!(
        err(&blob),
        DecodeError::LengthTooLarge {
            what: "string",
            len: 300,
            offset: 2,
            left: 12
        }
    );
    assert_eq!(
        msg(&blob),
        "string length 300 at byte 2 exceeds the 12 bytes left"
    );
    assert_eq!(
        msg(&[0x01, 0x08, 0x05, b'N', b';']),
        "object length 5 at byte 2 exceeds the 2 bytes left"
    );
    assert_eq!(
        msg(&[0x01, 0x07, 0x01, 0x05, 0x09, b'a', 0x00]),
        "string key length 9 at byte 4 exceeds the 2 bytes left"
    );
    // u64::MAX length
    let mut blob = vec![0x01, 0x05, 0xFD];
    blob.extend_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(
        msg(&blob),
        "string length 18446744073709551615 at byte 2 exceeds the 0 bytes left"
    );
}

#[test]
fn error_count_too_large_fails_fast() {
    // 2^60 elements announced in a 20-byte blob.
    let mut blob = vec![0x01, 0x06, 0xFD];
    blob.extend_from_slice(&(1u64 << 60).to_le_bytes());
    blob.extend_from_slice(&[0; 9]);
    assert_eq!(blob.len(), 20);
    assert_eq!(
        err(&blob),
        DecodeError::CountTooLarge {
            what: "list",
            count: 1 << 60,
            offset: 2,
            needed: 1 << 60,
            available: 9
        }
    );
    blob[1] = 0x07;
    assert_eq!(
        msg(&blob),
        "map count 1152921504606846976 at byte 2 needs at least 3458764513820540928 bytes but only 9 are available"
    );
    // u64::MAX entries: `needed` saturates
    let mut blob = vec![0x01, 0x07, 0xFD];
    blob.extend_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        err(&blob),
        DecodeError::CountTooLarge {
            needed: u64::MAX,
            ..
        }
    ));
    // A map entry needs 3 bytes: 2 entries in 5 bytes is too many.
    assert_eq!(
        msg(&[0x01, 0x07, 0x02, 0x03, 0x00, 0x00, 0x03, 0x02]),
        "map count 2 at byte 2 needs at least 6 bytes but only 5 are available"
    );
    // Bytes owed to the enclosing list count: [[a, b, c], d] in 5 bytes.
    assert_eq!(
        msg(&[0x01, 0x06, 0x02, 0x06, 0x03, 0x00, 0x00, 0x00]),
        "list count 3 at byte 4 needs at least 3 bytes but only 2 are available"
    );
}

#[test]
fn error_trailing_bytes() {
    assert_eq!(
        err(&[0x01, 0x00, 0x00, 0x00, 0x00]),
        DecodeError::TrailingBytes {
            count: 3,
            offset: 2
        }
    );
    assert_eq!(
        msg(&[0x01, 0x00, 0xAA, 0xBB, 0xCC]),
        "3 trailing bytes after the value at byte 2"
    );
}

#[test]
fn error_from_builder() {
    let blob = encode(&Value::List(vec![
        Value::Int(1),
        Value::Object(b"O:3:\"Foo\":0:{}".to_vec()),
    ]));
    let mut b = TreeBuilder {
        reject_objects: true,
        ..Default::default()
    };
    let e = shmqueue_codec::decode(&blob, &mut b).unwrap_err();
    assert_eq!(
        e,
        DecodeError::Builder {
            offset: blob.len(),
            source: BuildError("cannot unserialize 14 bytes".into())
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "builder failed at byte {}: cannot unserialize 14 bytes",
            blob.len()
        )
    );
    // It is a std::error::Error with the builder's error as source.
    let dyn_err: &dyn std::error::Error = &e;
    assert_eq!(
        dyn_err.source().unwrap().to_string(),
        "cannot unserialize 14 bytes"
    );
}

// ---------------------------------------------------------------- depth

fn nested_value(depth: usize) -> Value {
    let mut v = Value::Int(1);
    for i in 0..depth {
        v = if i % 2 == 0 {
            Value::List(vec![v])
        } else {
            Value::Map(vec![(ks(b"k"), v)])
        };
    }
    v
}

#[test]
fn depth_limit_writer() {
    let mut w = Writer::new();
    write(&mut w, &nested_value(MAX_DEPTH)).unwrap();
    let blob = w.as_bytes().to_vec();
    assert_eq!(decode(&blob).unwrap(), nested_value(MAX_DEPTH));

    w.clear();
    for _ in 0..MAX_DEPTH {
        w.list(1).unwrap();
    }
    let len = w.len();
    assert_eq!(w.list(1), Err(EncodeError::TooDeep { max: 1024 }));
    assert_eq!(w.map(1), Err(EncodeError::TooDeep { max: 1024 }));
    assert_eq!(w.len(), len, "a refused container writes nothing");
    assert_eq!(w.depth(), MAX_DEPTH);
    assert_eq!(
        EncodeError::TooDeep { max: 1024 }.to_string(),
        "nesting deeper than 1024 levels (a recursive array?)"
    );
    w.int(1); // scalars are fine at the deepest level
    for _ in 0..MAX_DEPTH {
        w.end_container();
    }
    assert_eq!(w.depth(), 0);
    assert!(decode(w.as_bytes()).is_ok());

    let mut w = Writer::new();
    assert!(write(&mut w, &nested_value(MAX_DEPTH + 1)).is_err());
}

#[test]
fn depth_limit_decoder() {
    assert!(decode(&nested_lists(MAX_DEPTH)).is_ok());
    let e = err(&nested_lists(MAX_DEPTH + 1));
    assert_eq!(
        e,
        DecodeError::TooDeep {
            max: 1024,
            offset: 2049
        }
    );
    assert_eq!(e.to_string(), "nesting deeper than 1024 at byte 2049");
    // maps count too
    let mut blob = vec![FORMAT_V1];
    for _ in 0..=MAX_DEPTH {
        blob.extend_from_slice(&[0x07, 0x01, 0x03, 0x00]);
    }
    blob.push(0x00);
    assert_eq!(
        msg(&blob),
        format!("nesting deeper than 1024 at byte {}", 1 + 4 * MAX_DEPTH)
    );
}

#[test]
fn depth_100k_no_stack_overflow() {
    // Run on a small stack to make sure the rejection happens before any deep recursion.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let blob = nested_lists(100_000);
            assert!(matches!(
                err(&blob),
                DecodeError::TooDeep { offset: 2049, .. }
            ));
            let mut blob = vec![FORMAT_V1];
            blob.extend(std::iter::repeat_n(0x06u8, 100_000)); // lists of 6 elements each
            assert!(decode(&blob).is_err());
        })
        .unwrap()
        .join()
        .unwrap();
}

/// A big string goes in as a head plus its own bytes and comes out borrowed from the blob: both
/// are exactly what the general writer and decoder make of the same string.
#[test]
fn lone_string_head_and_body_match_the_general_encoding() {
    for len in [0usize, 1, 250, 251, 65535, 65536, 70_000] {
        let body: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let mut whole = Writer::new();
        whole.string(&body);
        let mut head = Writer::new();
        head.lone_string_head(len);
        assert_eq!(
            [head.as_bytes(), &body].concat(),
            whole.as_bytes(),
            "len {len}"
        );
        assert_eq!(
            shmqueue_codec::lone_string(whole.as_bytes()),
            Some(&body[..])
        );
        assert_eq!(decode(whole.as_bytes()).expect("decodes"), Value::Str(body));
    }
}

#[test]
fn lone_string_is_none_for_every_other_blob() {
    let mut list = Writer::new();
    list.list(1).expect("list");
    list.string(b"x");
    list.end_container();
    let mut string = Writer::new();
    string.string(b"abc");
    let trailing = [string.as_bytes(), b"!"].concat();
    let truncated = &string.as_bytes()[..string.as_bytes().len() - 1];
    let mut old = string.as_bytes().to_vec();
    old[0] = FORMAT_V1 + 1;
    for blob in [
        list.as_bytes(),
        &trailing,
        truncated,
        &old,
        &[FORMAT_V1],
        &[],
    ] {
        assert_eq!(shmqueue_codec::lone_string(blob), None, "{blob:02x?}");
    }
}
