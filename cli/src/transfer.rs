//! `export` and `import`: a queue's messages to a file and back (the format is in `dump.rs`).
//! The snapshot is taken under the queue's lock and written after it is released, so a slow
//! disk never holds up the queue's users.

use std::fs;
use std::io::{self, IsTerminal, Read, Write};

use shmqueue_core::{CreateOptions, Kept, OpenOptions, Place, Queue, Snapshot};

use crate::args::{usage, Command, Words};
use crate::dump::{self, Export};
use crate::failure::{self, Failure};

/// Settings for a queue that import creates, each replacing the one the export recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub capacity: Option<u64>,
    pub max_attempts: Option<u32>,
}

/// Where `--durable [--durable-dir DIR]` says the queue is: shared memory without them.
pub fn place_of(words: &Words) -> Result<Place, Failure> {
    Ok(
        match (words.has("--durable"), words.value("--durable-dir")) {
            (true, Some(dir)) => Place::durable(dir),
            (true, None) => Place::durable(Place::default().durable_dir),
            (false, Some(_)) => {
                return Err(usage(format!(
                    "{}: --durable-dir names where durable queues are: give --durable too",
                    words.command
                )))
            }
            (false, None) => Place::shm(),
        },
    )
}

/// `export NAME [FILE]` and `import NAME FILE [--capacity B] [--max-attempts N]`, both with
/// `--durable [--durable-dir DIR]`.
pub fn parse(words: &Words) -> Result<Command, Failure> {
    let command = words.command.as_str();
    let place = place_of(words)?;
    let (name, more) = words.name_and(1)?;
    if command == "export" {
        words.allow_flags(&["--durable", "--durable-dir"])?;
        return Ok(Command::Export {
            name,
            file: more.first().cloned(),
            place,
        });
    }
    words.allow_flags(&["--capacity", "--max-attempts", "--durable", "--durable-dir"])?;
    let Some(file) = more.first().cloned() else {
        return Err(usage(
            "import: from which file? (shmqueue import NAME FILE)".into(),
        ));
    };
    Ok(Command::Import {
        name,
        file,
        overrides: Overrides {
            capacity: words.number("--capacity")?,
            max_attempts: words.number("--max-attempts")?,
        },
        place,
    })
}

/// "3 ready, 1 delayed, 0 leased, 2 dead"
fn counts(snapshot: &Snapshot) -> String {
    let mut counts = [0usize; 4];
    for message in &snapshot.messages {
        counts[match message.kept {
            Kept::Ready => 0,
            Kept::Delayed { .. } => 1,
            Kept::Leased { .. } => 2,
            Kept::Dead => 3,
        }] += 1;
    }
    format!(
        "{} ready, {} delayed, {} leased, {} dead",
        counts[0], counts[1], counts[2], counts[3]
    )
}

pub fn export(name: &str, file: Option<&str>, place: &Place) -> Result<(), Failure> {
    let to_stdout = matches!(file, None | Some("-"));
    if to_stdout && io::stdout().is_terminal() {
        return Err(Failure::usage(format!(
            "export: the export is binary; give a FILE (shmqueue export {name} FILE) or redirect"
        )));
    }
    let snapshot = crate::access::with_queue_at(name, place, |queue| queue.snapshot())?;
    let export = Export {
        name: name.to_owned(),
        layout_version: place.layout_version(),
        codec: dump::CODEC,
        snapshot,
    };
    let bytes = dump::encode(&export);
    let summary = |to: &str| {
        format!(
            "exported {} message(s) of queue {name:?} ({}) to {to}, {} bytes\n",
            export.snapshot.messages.len(),
            counts(&export.snapshot),
            bytes.len()
        )
    };
    match file.filter(|_| !to_stdout) {
        None => {
            let mut stdout = io::stdout().lock();
            stdout
                .write_all(&bytes)
                .and_then(|()| stdout.flush())
                .map_err(|error| Failure::other(format!("writing the export failed: {error}")))?;
            eprint!("{}", summary("stdout"));
            Ok(())
        }
        Some(path) => {
            write_whole(path, &bytes)
                .map_err(|error| Failure::other(format!("writing {path} failed: {error}")))?;
            crate::output::emit(&summary(path))
        }
    }
}

/// Opening options for the queue at `place` that check no owner: import decodes no value.
fn unchecked(place: &Place) -> OpenOptions {
    OpenOptions {
        trusted_users: None,
        place: place.clone(),
        ..OpenOptions::default()
    }
}

/// Writes `bytes` to a new file beside `path`, syncs it, then renames it over `path`: a reader
/// (or a crash) never finds half an export under that name.
fn write_whole(path: &str, bytes: &[u8]) -> io::Result<()> {
    let partial = format!("{path}.partial-{}", std::process::id());
    let written = fs::File::create(&partial).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| fs::rename(&partial, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = fs::remove_file(&partial);
            Err(error)
        }
    }
}

pub fn import(name: &str, file: &str, overrides: &Overrides, place: &Place) -> Result<(), Failure> {
    let mut bytes = Vec::new();
    let read = if file == "-" {
        io::stdin().read_to_end(&mut bytes)
    } else {
        fs::File::open(file).and_then(|mut opened| opened.read_to_end(&mut bytes))
    };
    read.map_err(|error| Failure {
        code: if error.kind() == io::ErrorKind::NotFound {
            failure::NOT_FOUND
        } else {
            failure::OTHER
        },
        message: format!("cannot read {file}: {error}; nothing imported"),
    })?;
    let export = dump::decode(&bytes).map_err(|why| Failure {
        code: failure::INCOMPATIBLE,
        message: format!("cannot import {file}: {why}; nothing imported"),
    })?;
    let settings = export.snapshot.settings.clone();
    let options = CreateOptions {
        capacity: overrides.capacity.unwrap_or(settings.capacity),
        max_attempts: overrides.max_attempts.unwrap_or(settings.max_attempts),
        ..settings
    };
    let nothing = |error| {
        let failure = Failure::from_queue(name, error);
        Failure {
            message: format!("{}; nothing imported", failure.message),
            ..failure
        }
    };
    // A queue made for an import that then stores nothing is removed again.
    let existed = std::path::Path::new(&place.path(name)).exists();
    let mut queue = Queue::open_with(name, unchecked(place), || {
        options.validate().map(|()| options.clone())
    })
    .map_err(nothing)?;
    queue.set_lock_timeout(crate::access::lock_timeout());
    let messages = &export.snapshot.messages;
    let restored = queue.restore(messages);
    if !existed && !matches!(restored, Ok(Some(_))) {
        drop(queue);
        let _ = Queue::remove_at(name, place);
    }
    match restored.map_err(nothing)? {
        None => Err(Failure {
            code: failure::NO_ROOM,
            message: format!(
                "queue {name:?} has no room for all {} message(s) of {file} now: nothing imported \
                 (make room, or import into a new queue with a larger --capacity)",
                messages.len()
            ),
        }),
        Some(stored) if stored < messages.len() => Err(Failure::other(format!(
            "imported only {stored} of the {} message(s) of {file} into queue {name:?}: room ran \
             out on the way",
            messages.len()
        ))),
        Some(stored) => crate::output::emit(&format!(
            "imported {stored} message(s) into queue {name:?} ({} in the file; leased ones are \
             ready again, their attempts kept)\n",
            counts(&export.snapshot)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{parse, Command};

    fn parse_words(line: &str) -> Result<Command, Failure> {
        parse(
            &line
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn stats_of_durable_queues_by_name() {
        assert_eq!(
            parse_words("stats a --durable --durable-dir /d").unwrap(),
            Command::Stats {
                which: crate::args::Which::Named(vec!["a".into()]),
                format: crate::args::Format::Text,
                place: Place::durable("/d"),
            }
        );
        let usage = parse_words("stats --all --durable").unwrap_err();
        assert!(usage.message.contains("name queues, not --all"));
    }

    #[test]
    fn export_and_import_with_their_options() {
        assert_eq!(
            parse_words("export q").unwrap(),
            Command::Export {
                name: "q".into(),
                file: None,
                place: Place::shm()
            }
        );
        assert_eq!(
            parse_words("export q f --durable --durable-dir /d").unwrap(),
            Command::Export {
                name: "q".into(),
                file: Some("f".into()),
                place: Place::durable("/d")
            }
        );
        assert_eq!(
            parse_words("import q f.shmqx --capacity 65536 --max-attempts=3").unwrap(),
            Command::Import {
                name: "q".into(),
                file: "f.shmqx".into(),
                overrides: Overrides {
                    capacity: Some(65536),
                    max_attempts: Some(3)
                },
                place: Place::shm()
            }
        );
        assert!(matches!(
            parse_words("import q f --durable").unwrap(),
            Command::Import { place, .. } if place == Place::durable("/var/lib/shmqueue")
        ));
        let usage = |line| parse_words(line).unwrap_err();
        assert!(usage("import q").message.contains("which file"));
        assert!(usage("import q f --capacity lots")
            .message
            .contains("--capacity"));
        assert!(usage("import q f --max-attempts 5000000000")
            .message
            .contains("--max-attempts"));
        assert!(usage("export q f g").message.contains("\"g\""));
        assert_eq!(usage("export q --capacity 1").code, failure::USAGE);
        assert!(usage("import q f --durable-dir /d")
            .message
            .contains("give --durable too"));
    }
}
