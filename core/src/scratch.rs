//! A throw-away segment for the unit tests of the modules that work on one.

use std::ops::Deref;

use crate::segment::{self, CreateOptions, Segment};

pub struct Scratch(Segment);

impl Scratch {
    /// A new queue of `capacity` bytes named after `tag` and this process; unlinked on drop.
    pub fn new(tag: &str, capacity: u64) -> Scratch {
        let name = format!("coreunit-{tag}-{}", std::process::id());
        segment::unlink(&name);
        let options = CreateOptions {
            capacity,
            ..CreateOptions::default()
        };
        Scratch(
            Segment::open_or_create(&name, &crate::place::Place::shm(), None, || Ok(options))
                .expect("create a scratch segment"),
        )
    }
}

impl Deref for Scratch {
    type Target = Segment;

    fn deref(&self) -> &Segment {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        segment::unlink(self.0.name());
    }
}
