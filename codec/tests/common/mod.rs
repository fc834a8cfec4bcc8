//! Test-only value tree and its `Builder`.
#![allow(dead_code)]

use shmqueue_codec::{Builder, EncodeError, Writer};

#[derive(Debug, Clone)]
pub enum Key {
    Int(i64),
    Str(Vec<u8>),
}

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
    List(Vec<Value>),
    Map(Vec<(Key, Value)>),
    Object(Vec<u8>),
}

impl PartialEq for Key {
    fn eq(&self, o: &Self) -> bool {
        match (self, o) {
            (Key::Int(a), Key::Int(b)) => a == b,
            (Key::Str(a), Key::Str(b)) => a == b,
            _ => false,
        }
    }
}

/// Structural equality; floats are compared bit for bit.
impl PartialEq for Value {
    fn eq(&self, o: &Self) -> bool {
        use Value::*;
        match (self, o) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (Str(a), Str(b)) | (Object(a), Object(b)) => a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            _ => false,
        }
    }
}

/// Writes `v` the way the PHP binding would: one call per node.
pub fn write(w: &mut Writer, v: &Value) -> Result<(), EncodeError> {
    match v {
        Value::Null => w.null(),
        Value::Bool(b) => w.bool(*b),
        Value::Int(i) => w.int(*i),
        Value::Float(f) => w.float(*f),
        Value::Str(s) => w.string(s),
        Value::Object(s) => w.object(s),
        Value::List(items) => {
            w.list(items.len())?;
            for it in items {
                write(w, it)?;
            }
            w.end_container();
        }
        Value::Map(entries) => {
            w.map(entries.len())?;
            for (k, it) in entries {
                match k {
                    Key::Int(i) => w.key_int(*i),
                    Key::Str(s) => w.key_str(s),
                }
                write(w, it)?;
            }
            w.end_container();
        }
    }
    Ok(())
}

pub fn encode(v: &Value) -> Vec<u8> {
    let mut w = Writer::new();
    write(&mut w, v).unwrap();
    assert_eq!(w.depth(), 0);
    w.into_bytes()
}

pub enum Arr {
    List(Vec<Value>),
    Map(Vec<(Key, Value)>),
}

/// Builds `Value`s. Counts the capacity it was asked for, and can be told to
/// fail on objects.
#[derive(Default)]
pub struct TreeBuilder {
    pub capacity_total: usize,
    pub reject_objects: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BuildError(pub String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for BuildError {}

impl Builder for TreeBuilder {
    type Value = Value;
    type Array = Arr;
    type Error = BuildError;

    fn null(&mut self) -> Result<Value, BuildError> {
        Ok(Value::Null)
    }
    fn bool(&mut self, v: bool) -> Result<Value, BuildError> {
        Ok(Value::Bool(v))
    }
    fn int(&mut self, v: i64) -> Result<Value, BuildError> {
        Ok(Value::Int(v))
    }
    fn float(&mut self, v: f64) -> Result<Value, BuildError> {
        Ok(Value::Float(v))
    }
    fn string(&mut self, v: &[u8]) -> Result<Value, BuildError> {
        Ok(Value::Str(v.to_vec()))
    }
    fn object(&mut self, s: &[u8]) -> Result<Value, BuildError> {
        if self.reject_objects {
            return Err(BuildError(format!("cannot unserialize {} bytes", s.len())));
        }
        Ok(Value::Object(s.to_vec()))
    }
    fn begin_array(&mut self, len: usize, is_list: bool) -> Result<Arr, BuildError> {
        self.capacity_total += len;
        Ok(if is_list {
            Arr::List(Vec::with_capacity(len))
        } else {
            Arr::Map(Vec::with_capacity(len))
        })
    }
    fn push_index(&mut self, arr: &mut Arr, key: i64, v: Value) -> Result<(), BuildError> {
        match arr {
            Arr::List(items) => {
                assert_eq!(key as usize, items.len(), "list keys are 0..n-1 in order");
                items.push(v)
            }
            Arr::Map(entries) => entries.push((Key::Int(key), v)),
        }
        Ok(())
    }
    fn push_str_key(&mut self, arr: &mut Arr, key: &[u8], v: Value) -> Result<(), BuildError> {
        match arr {
            Arr::List(_) => panic!("string key pushed into a list"),
            Arr::Map(entries) => entries.push((Key::Str(key.to_vec()), v)),
        }
        Ok(())
    }
    fn end_array(&mut self, arr: Arr) -> Result<Value, BuildError> {
        Ok(match arr {
            Arr::List(items) => Value::List(items),
            Arr::Map(entries) => Value::Map(entries),
        })
    }
}

pub type Result2 = Result<Value, shmqueue_codec::DecodeError<BuildError>>;

pub fn decode(blob: &[u8]) -> Result2 {
    shmqueue_codec::decode(blob, &mut TreeBuilder::default())
}

pub fn s(b: &[u8]) -> Value {
    Value::Str(b.to_vec())
}
pub fn ks(b: &[u8]) -> Key {
    Key::Str(b.to_vec())
}

/// `depth` nested lists, the innermost holding `[1]`.
pub fn nested_lists(depth: usize) -> Vec<u8> {
    let mut blob = vec![shmqueue_codec::FORMAT_V1];
    for _ in 0..depth {
        blob.extend_from_slice(&[0x06, 0x01]);
    }
    blob.push(0x00);
    blob
}

/// Small deterministic PRNG (xorshift64*).
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// A random value tree of bounded size.
pub fn random_value(r: &mut Rng, depth: usize) -> Value {
    let kinds = if depth >= 4 { 7 } else { 9 };
    match r.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(r.chance(2)),
        2 => Value::Int(match r.below(4) {
            0 => r.below(300) as i64 - 150,
            1 => r.next() as i64,
            2 => (r.next() >> r.below(64)) as i64,
            _ => -((r.next() >> r.below(64)) as i64),
        }),
        3 => Value::Float(f64::from_bits(r.next())),
        4 => Value::Str(random_bytes(r, 20)),
        5 => Value::Object(random_bytes(r, 30)),
        6 => Value::Int(r.below(1 << 20) as i64),
        7 => Value::List(
            (0..r.below(5))
                .map(|_| random_value(r, depth + 1))
                .collect(),
        ),
        _ => Value::Map(
            (0..r.below(5))
                .map(|_| {
                    let k = if r.chance(2) {
                        Key::Int(r.next() as i64 >> r.below(64))
                    } else {
                        Key::Str(random_bytes(r, 8))
                    };
                    (k, random_value(r, depth + 1))
                })
                .collect(),
        ),
    }
}

pub fn random_bytes(r: &mut Rng, max: u64) -> Vec<u8> {
    (0..r.below(max + 1)).map(|_| r.next() as u8).collect()
}
