//! Micro benchmarks: bincode primitives vs hand-written equivalents.
//!
//! Run with:
//! `cargo test --release -p shmqueue-codec --test bench -- --ignored --nocapture`

use bincode::de::read::Reader;
use shmqueue_codec::{decode, Builder, Writer};
use std::hint::black_box;
use std::time::Instant;

fn ns_per_op(name: &str, iters: u64, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let mut ns = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        ns = ns.min(t.elapsed().as_nanos() as f64 / iters as f64);
    }
    println!("{name:<44} {ns:8.1} ns/op");
    ns
}

// ---- the same writer, with bincode's Encode API for the primitives (the
// first implementation of this crate; the baseline of the comparison)

struct Sink(Vec<u8>);
impl bincode::enc::write::Writer for Sink {
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) -> Result<(), bincode::error::EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}
const CONFIG: bincode::config::Configuration = bincode::config::standard();

#[inline(always)]
fn bc_uv(buf: &mut Sink, v: u64) {
    let _ = bincode::encode_into_writer(v, &mut *buf, CONFIG);
}
#[inline(always)]
fn bc_int(buf: &mut Sink, v: i64) {
    buf.0.reserve(10);
    buf.0.push(3);
    let _ = bincode::encode_into_writer(v, &mut *buf, CONFIG);
}
#[inline(always)]
fn bc_str(buf: &mut Sink, s: &[u8]) {
    buf.0.reserve(10 + s.len());
    buf.0.push(5);
    bc_uv(buf, s.len() as u64);
    buf.0.extend_from_slice(s);
}
#[inline(always)]
fn bc_float(buf: &mut Sink, f: f64) {
    buf.0.reserve(9);
    buf.0.push(4);
    let _ = bincode::encode_into_writer(f, &mut *buf, CONFIG);
}

// ---- the same bench-local writer with hand-written primitives (what the
// crate does): identical structure, only the varint/float code differs.

#[inline(always)]
fn hand_uv(buf: &mut Sink, v: u64) {
    let buf = &mut buf.0;
    if v <= 250 {
        buf.push(v as u8);
    } else if v <= u16::MAX as u64 {
        buf.push(0xFB);
        buf.extend_from_slice(&(v as u16).to_le_bytes());
    } else if v <= u32::MAX as u64 {
        buf.push(0xFC);
        buf.extend_from_slice(&(v as u32).to_le_bytes());
    } else {
        buf.push(0xFD);
        buf.extend_from_slice(&v.to_le_bytes());
    }
}
#[inline(always)]
fn hand_int(buf: &mut Sink, v: i64) {
    buf.0.reserve(10);
    buf.0.push(3);
    hand_uv(buf, ((v << 1) ^ (v >> 63)) as u64);
}
#[inline(always)]
fn hand_str(buf: &mut Sink, s: &[u8]) {
    buf.0.reserve(10 + s.len());
    buf.0.push(5);
    hand_uv(buf, s.len() as u64);
    buf.0.extend_from_slice(s);
}
#[inline(always)]
fn hand_float(buf: &mut Sink, f: f64) {
    buf.0.reserve(9);
    buf.0.push(4);
    buf.0.extend_from_slice(&f.to_le_bytes());
}

const INTS: [i64; 8] = [3, -1, 12345678, 200, -70000, i64::MAX, 42, 1 << 40];

/// ["to"=>"a@b","n"=>3,"id"=>12345678,"ratio"=>1.5,"tags"=>["x","y"]]: 15 calls.
fn small_crate(w: &mut Writer, n: i64) {
    w.clear();
    w.map(5).unwrap();
    w.key_str(b"to");
    w.string(b"a@b");
    w.key_str(b"n");
    w.int(n);
    w.key_str(b"id");
    w.int(12345678);
    w.key_str(b"ratio");
    w.float(1.5);
    w.key_str(b"tags");
    w.list(2).unwrap();
    w.string(b"x");
    w.string(b"y");
    w.end_container();
    w.end_container();
}

fn small_bincode(buf: &mut Sink, n: i64) {
    buf.0.clear();
    buf.0.push(1);
    buf.0.reserve(10);
    buf.0.push(7);
    bc_uv(buf, 5);
    bc_str(buf, b"to");
    bc_str(buf, b"a@b");
    bc_str(buf, b"n");
    bc_int(buf, n);
    bc_str(buf, b"id");
    bc_int(buf, 12345678);
    bc_str(buf, b"ratio");
    bc_float(buf, 1.5);
    bc_str(buf, b"tags");
    buf.0.reserve(10);
    buf.0.push(6);
    bc_uv(buf, 2);
    bc_str(buf, b"x");
    bc_str(buf, b"y");
}

fn small_hand(buf: &mut Sink, n: i64) {
    buf.0.clear();
    buf.0.push(1);
    buf.0.reserve(10);
    buf.0.push(7);
    hand_uv(buf, 5);
    hand_str(buf, b"to");
    hand_str(buf, b"a@b");
    hand_str(buf, b"n");
    hand_int(buf, n);
    hand_str(buf, b"id");
    hand_int(buf, 12345678);
    hand_str(buf, b"ratio");
    hand_float(buf, 1.5);
    hand_str(buf, b"tags");
    buf.0.reserve(10);
    buf.0.push(6);
    hand_uv(buf, 2);
    hand_str(buf, b"x");
    hand_str(buf, b"y");
}

// ---- readers for varint decoding: the crate's cursor shape vs hand-written

struct Cur<'a> {
    data: &'a [u8],
    pos: usize,
}
impl Reader for Cur<'_> {
    #[inline(always)]
    fn read(&mut self, bytes: &mut [u8]) -> Result<(), bincode::error::DecodeError> {
        match self.data.get(self.pos..self.pos + bytes.len()) {
            Some(src) => {
                bytes.copy_from_slice(src);
                self.pos += bytes.len();
                Ok(())
            }
            None => Err(bincode::error::DecodeError::UnexpectedEnd { additional: 1 }),
        }
    }
    #[inline(always)]
    fn peek_read(&mut self, n: usize) -> Option<&[u8]> {
        self.data.get(self.pos..self.pos.checked_add(n)?)
    }
    #[inline(always)]
    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.data.len());
    }
}

#[inline(always)]
fn hand_read_i64(c: &mut Cur<'_>) -> Option<i64> {
    let d = c.data;
    let first = *d.get(c.pos)?;
    let (v, n) = match first {
        0..=250 => (first as u64, 1),
        0xFB => (
            u16::from_le_bytes(d.get(c.pos + 1..c.pos + 3)?.try_into().ok()?) as u64,
            3,
        ),
        0xFC => (
            u32::from_le_bytes(d.get(c.pos + 1..c.pos + 5)?.try_into().ok()?) as u64,
            5,
        ),
        0xFD => (
            u64::from_le_bytes(d.get(c.pos + 1..c.pos + 9)?.try_into().ok()?),
            9,
        ),
        _ => return None,
    };
    c.pos += n;
    Some(((v >> 1) as i64) ^ -((v & 1) as i64))
}

struct Nop;
impl Builder for Nop {
    type Value = u64;
    type Array = u64;
    type Error = ();
    fn null(&mut self) -> Result<u64, ()> {
        Ok(0)
    }
    fn bool(&mut self, v: bool) -> Result<u64, ()> {
        Ok(v as u64)
    }
    fn int(&mut self, v: i64) -> Result<u64, ()> {
        Ok(v as u64)
    }
    fn float(&mut self, v: f64) -> Result<u64, ()> {
        Ok(v.to_bits())
    }
    fn string(&mut self, v: &[u8]) -> Result<u64, ()> {
        Ok(v.len() as u64)
    }
    fn object(&mut self, v: &[u8]) -> Result<u64, ()> {
        Ok(v.len() as u64)
    }
    fn begin_array(&mut self, len: usize, _: bool) -> Result<u64, ()> {
        Ok(len as u64)
    }
    fn push_index(&mut self, a: &mut u64, k: i64, v: u64) -> Result<(), ()> {
        *a = a.wrapping_add(k as u64 ^ v);
        Ok(())
    }
    fn push_str_key(&mut self, a: &mut u64, k: &[u8], v: u64) -> Result<(), ()> {
        *a = a.wrapping_add(k.len() as u64 ^ v);
        Ok(())
    }
    fn end_array(&mut self, a: u64) -> Result<u64, ()> {
        Ok(a)
    }
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn bench_bincode_vs_hand() {
    const N: u64 = 5_000_000;
    let mut w = Writer::with_capacity(256);
    let mut sink = Sink(Vec::with_capacity(256));
    small_crate(&mut w, 3);
    small_bincode(&mut sink, 3);
    assert_eq!(w.as_bytes(), &sink.0[..], "same bytes");

    let mut hand = Sink(Vec::with_capacity(256));
    small_hand(&mut hand, 3);
    assert_eq!(hand.0, sink.0, "same bytes");

    let mut i = 0i64;
    let a = ns_per_op("writer: small map, 15 calls (via bincode)", N, || {
        i = i.wrapping_add(1);
        small_bincode(&mut sink, black_box(i));
        black_box(&sink.0);
    });
    let b = ns_per_op("writer: small map, 15 calls (by hand)", N, || {
        i = i.wrapping_add(1);
        small_hand(&mut hand, black_box(i));
        black_box(&hand.0);
    });
    println!("  -> bincode/hand = {:.2}", a / b);
    ns_per_op("writer: small map, 15 calls (crate Writer)", N, || {
        i = i.wrapping_add(1);
        small_crate(&mut w, black_box(i));
        black_box(w.as_bytes());
    });

    let a = ns_per_op("writer: 64 mixed ints (via bincode)", N / 4, || {
        sink.0.clear();
        for k in 0..64 {
            bc_int(&mut sink, black_box(INTS[k & 7]));
        }
        black_box(&sink.0);
    });
    let b = ns_per_op("writer: 64 mixed ints (by hand)", N / 4, || {
        hand.0.clear();
        for k in 0..64 {
            hand_int(&mut hand, black_box(INTS[k & 7]));
        }
        black_box(&hand.0);
    });
    println!("  -> bincode/hand = {:.2}", a / b);
    ns_per_op("writer: 64 mixed ints (crate Writer)", N / 4, || {
        w.clear();
        for k in 0..64 {
            w.int(black_box(INTS[k & 7]));
        }
        black_box(w.as_bytes());
    });

    // varint decoding of 64 mixed ints
    let mut ints = Vec::new();
    for k in 0..64 {
        let v: i64 = INTS[k & 7];
        bincode::encode_into_std_write(v, &mut ints, bincode::config::standard()).unwrap();
    }
    let a = ns_per_op("read: 64 mixed varints (bincode)", N / 4, || {
        let mut c = Cur {
            data: black_box(&ints),
            pos: 0,
        };
        let mut s = 0i64;
        for _ in 0..64 {
            let v: i64 = bincode::decode_from_reader(&mut c, bincode::config::standard()).unwrap();
            s = s.wrapping_add(v);
        }
        black_box(s);
    });
    let b = ns_per_op("read: 64 mixed varints (hand)", N / 4, || {
        let mut c = Cur {
            data: black_box(&ints),
            pos: 0,
        };
        let mut s = 0i64;
        for _ in 0..64 {
            s = s.wrapping_add(hand_read_i64(&mut c).unwrap());
        }
        black_box(s);
    });
    println!("  -> bincode/hand = {:.2}", a / b);

    small_crate(&mut w, 3);
    let blob = w.as_bytes().to_vec();
    ns_per_op("decode: small map, no-op builder", N, || {
        black_box(decode(black_box(&blob), &mut Nop).unwrap());
    });
}
