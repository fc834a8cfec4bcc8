//! Writing to stdout without panicking when the reader went away (`shmqueue watch q | head`).

use std::io::{self, Write};

use crate::failure::Failure;

/// Writes `text` and flushes, so `watch` lines appear as they are made. A closed pipe ends the
/// program quietly, as it would any Unix tool.
pub fn emit(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(error) => Err(Failure::other(format!(
            "writing the output failed: {error}"
        ))),
    }
}
