//! The export file: every message of a queue with its state, attempts and time, in a portable
//! format of its own (docs/export-format.md), independent of the segment layout, so that the
//! messages of one layout version can be loaded into a queue of another.
//!
//! All integers are little endian. A reader checks the whole file (magic, version, structure,
//! checksum) before it hands out a single message.

use shmqueue_core::{CreateOptions, Kept, Message, Snapshot, SyncPolicy};

pub const MAGIC: &[u8; 8] = b"SHMQEXP\n";
pub const VERSION: u32 = 1;
/// The value format of the payloads this command can read back (the codec's version byte).
pub const CODEC: u32 = shmqueue_codec::FORMAT_V1 as u32;

const READY: u8 = 0;
const DELAYED: u8 = 1;
const LEASED: u8 = 2;
const DEAD: u8 = 3;

/// An export: which queue, written by which layout and codec, and its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub layout_version: u32,
    pub codec: u32,
    pub snapshot: Snapshot,
}

/// Why a file cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    NotAnExport,
    NewerVersion(u32),
    NewerCodec(u32),
    Truncated,
    Checksum { stored: u32, computed: u32 },
    Invalid(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::NotAnExport => write!(f, "not a shmqueue export (wrong magic)"),
            Unreadable::NewerVersion(found) => write!(
                f,
                "export format version {found}, this shmqueue reads version {VERSION}: import it \
                 with a newer shmqueue"
            ),
            Unreadable::NewerCodec(found) => write!(
                f,
                "its values are in format {found}, this shmqueue reads format {CODEC}: import it \
                 with a newer shmqueue"
            ),
            Unreadable::Truncated => write!(f, "truncated (it ends before its last message)"),
            Unreadable::Checksum { stored, computed } => write!(
                f,
                "damaged: checksum {computed:08x} where the file says {stored:08x}"
            ),
            Unreadable::Invalid(why) => write!(f, "damaged: {why}"),
        }
    }
}

pub fn encode(export: &Export) -> Vec<u8> {
    let snapshot = &export.snapshot;
    let settings = &snapshot.settings;
    let payloads: usize = snapshot.messages.iter().map(|m| m.payload.len() + 21).sum();
    let mut out = Vec::with_capacity(96 + export.name.len() + payloads);
    out.extend_from_slice(MAGIC);
    for word in [
        VERSION,
        export.codec,
        export.layout_version,
        settings.sync.encode(),
    ] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    for word in [snapshot.taken_at_ms, settings.capacity, settings.lease_ms] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    for word in [
        settings.max_attempts,
        settings.permissions,
        settings.sync_interval_ms,
    ] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.extend_from_slice(&(export.name.len() as u32).to_le_bytes());
    out.extend_from_slice(export.name.as_bytes());
    out.extend_from_slice(&(snapshot.messages.len() as u64).to_le_bytes());
    for message in &snapshot.messages {
        let (state, time) = match message.kept {
            Kept::Ready => (READY, 0),
            Kept::Delayed { not_before_ms } => (DELAYED, not_before_ms),
            Kept::Leased { until_ms } => (LEASED, until_ms),
            Kept::Dead => (DEAD, 0),
        };
        out.push(state);
        out.extend_from_slice(&message.attempts.to_le_bytes());
        out.extend_from_slice(&time.to_le_bytes());
        out.extend_from_slice(&(message.payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&message.payload);
    }
    let checksum = crc32fast::hash(&out);
    out.extend_from_slice(&checksum.to_le_bytes());
    out
}

/// Reads the bytes of a file in order, each read checked against what is left.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: u64) -> Result<&'a [u8], Unreadable> {
        if len > self.bytes.len() as u64 {
            return Err(Unreadable::Truncated);
        }
        let (taken, rest) = self.bytes.split_at(len as usize);
        self.bytes = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Unreadable> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N as u64)?);
        Ok(array)
    }

    fn u32(&mut self) -> Result<u32, Unreadable> {
        self.array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, Unreadable> {
        self.array().map(u64::from_le_bytes)
    }
}

pub fn decode(bytes: &[u8]) -> Result<Export, Unreadable> {
    let mut reader = Reader { bytes };
    if reader.take(MAGIC.len() as u64).ok() != Some(&MAGIC[..]) {
        return Err(Unreadable::NotAnExport);
    }
    let version = reader.u32()?;
    if version > VERSION || version == 0 {
        return Err(Unreadable::NewerVersion(version));
    }
    let codec = reader.u32()?;
    let layout_version = reader.u32()?;
    let sync = reader.u32()?;
    let taken_at_ms = reader.u64()?;
    let capacity = reader.u64()?;
    let lease_ms = reader.u64()?;
    let max_attempts = reader.u32()?;
    let permissions = reader.u32()?;
    let sync_interval_ms = reader.u32()?;
    let name_len = reader.u32()?;
    let name = String::from_utf8(reader.take(name_len.into())?.to_vec())
        .map_err(|_| Unreadable::Invalid("the queue name is not UTF-8".into()))?;
    let count = reader.u64()?;
    let mut messages = Vec::new();
    for index in 0..count {
        let [state] = reader.array()?;
        let attempts = reader.u32()?;
        let time = reader.u64()?;
        let len = reader.u64()?;
        let kept = match state {
            READY => Kept::Ready,
            DELAYED => Kept::Delayed {
                not_before_ms: time,
            },
            LEASED => Kept::Leased { until_ms: time },
            DEAD => Kept::Dead,
            other => {
                return Err(Unreadable::Invalid(format!(
                    "message {} has an unknown state {other}",
                    index + 1
                )))
            }
        };
        let payload = reader.take(len)?.to_vec();
        messages.push(Message {
            kept,
            attempts,
            payload,
        });
    }
    let stored = reader.u32()?;
    if !reader.bytes.is_empty() {
        return Err(Unreadable::Invalid(format!(
            "{} bytes follow its checksum",
            reader.bytes.len()
        )));
    }
    let computed = crc32fast::hash(&bytes[..bytes.len() - 4]);
    if stored != computed {
        return Err(Unreadable::Checksum { stored, computed });
    }
    // Refused only now: a damaged file is said to be damaged, not of a newer value format.
    if codec > CODEC {
        return Err(Unreadable::NewerCodec(codec));
    }
    Ok(Export {
        name,
        layout_version,
        codec,
        snapshot: Snapshot {
            settings: CreateOptions {
                capacity,
                permissions,
                max_attempts,
                lease_ms,
                sync: SyncPolicy::decode(sync),
                sync_interval_ms,
            },
            taken_at_ms,
            messages,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Export {
        let message = |kept, attempts, payload: &[u8]| Message {
            kept,
            attempts,
            payload: payload.to_vec(),
        };
        Export {
            name: "mail".into(),
            layout_version: 2,
            codec: CODEC,
            snapshot: Snapshot {
                settings: CreateOptions::default(),
                taken_at_ms: 1_700_000_000_000,
                messages: vec![
                    message(Kept::Ready, 0, b""),
                    message(Kept::Delayed { not_before_ms: 42 }, 1, b"\x01\x05\x00"),
                    message(Kept::Leased { until_ms: 7 }, 3, &[0xff; 300]),
                    message(Kept::Dead, 5, b"x"),
                ],
            },
        }
    }

    #[test]
    fn an_export_reads_back_as_written() {
        assert_eq!(decode(&encode(&sample())).unwrap(), sample());
    }

    #[test]
    fn every_damage_is_refused_with_its_reason() {
        let bytes = encode(&sample());
        for len in 0..bytes.len() {
            let refused = decode(&bytes[..len]).unwrap_err();
            assert!(
                matches!(refused, Unreadable::Truncated | Unreadable::NotAnExport),
                "cut at {len}: {refused}"
            );
        }
        for at in MAGIC.len() + 4..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x40;
            assert!(decode(&flipped).is_err(), "byte {at} flipped was accepted");
        }
        let mut magic = bytes.clone();
        magic[0] = b'X';
        assert_eq!(decode(&magic), Err(Unreadable::NotAnExport));
        let mut newer = bytes.clone();
        newer[8] = 2;
        assert_eq!(decode(&newer), Err(Unreadable::NewerVersion(2)));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(decode(&longer), Err(Unreadable::Invalid(_))));
    }

    #[test]
    fn values_of_a_newer_format_are_refused() {
        let export = Export {
            codec: CODEC + 1,
            ..sample()
        };
        assert_eq!(
            decode(&encode(&export)),
            Err(Unreadable::NewerCodec(CODEC + 1))
        );
    }
}
