//! `shmqueue`: the operator's view of the queues on this machine, from a shell. Built on the same
//! core and codec as the PHP extension (no PHP inside), so it reads exactly what PHP wrote.
//! `shmqueue help` lists the commands and the exit codes.

mod access;
mod args;
mod dump;
mod failure;
mod inventory;
mod output;
mod report;
mod serve;
mod transfer;
mod users;
mod value;
mod watch;

use shmqueue_core::{layout::RecordState, Place, Queue};

use crate::args::{Command, Format, Which};
use crate::failure::Failure;
use crate::output::emit;
use crate::value::Limits;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = args::parse(&args).and_then(run);
    if let Err(failure) = outcome {
        if !failure.message.is_empty() {
            eprintln!("shmqueue: {}", failure.message);
        }
        if failure.code == failure::USAGE {
            eprintln!("(shmqueue help lists the commands)");
        }
        std::process::exit(failure.code);
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Help => emit(args::USAGE),
        Command::Version => emit(&format!(
            "shmqueue {} (segment layout version {}, value format {})\n",
            env!("CARGO_PKG_VERSION"),
            shmqueue_core::layout::LAYOUT_VERSION,
            shmqueue_codec::FORMAT_V1
        )),
        Command::List { json } => list(json),
        Command::Stats {
            which,
            format,
            place,
        } => stats(which, format, &place),
        Command::Peek { name, max } => peek(&name, max),
        Command::Dead { name, max } => dead(&name, max),
        Command::RequeueDead { name } => {
            let moved = on_queue(&name, |queue| queue.requeue_dead())?;
            emit(&format!("requeued {moved} dead letter(s) of queue {name:?}: they are ready again, attempts reset\n"))
        }
        Command::Purge { name } => {
            let purged = on_queue(&name, |queue| queue.purge_dead())?;
            emit(&format!(
                "purged {purged} dead letter(s) of queue {name:?}; waiting messages are kept\n"
            ))
        }
        Command::Remove { name } => match Queue::remove(&name) {
            Ok(true) => emit(&format!("removed queue {name:?}\n")),
            Ok(false) => Err(Failure {
                code: failure::NOT_FOUND,
                message: format!("queue {name:?} not found: nothing removed"),
            }),
            Err(error) => Err(Failure::from_queue(&name, error)),
        },
        Command::Watch {
            name,
            interval,
            count,
        } => watch::run(&name, interval, count),
        Command::Pause { name, paused } => {
            let changed = on_queue(&name, move |queue| {
                if paused {
                    queue.pause()
                } else {
                    queue.resume()
                }
            })?;
            emit(&match (paused, changed) {
                (true, true) => format!(
                    "paused queue {name:?}: nothing is taken from it until `shmqueue resume`\n"
                ),
                (true, false) => format!("queue {name:?} was paused already\n"),
                (false, true) => format!("resumed queue {name:?}\n"),
                (false, false) => format!("queue {name:?} was not paused\n"),
            })
        }
        Command::Export { name, file, place } => transfer::export(&name, file.as_deref(), &place),
        Command::Import {
            name,
            file,
            overrides,
            place,
        } => transfer::import(&name, &file, &overrides, &place),
        Command::Serve {
            listen,
            token_file,
            host,
        } => serve::run(serve::Options {
            listen,
            token_file,
            host,
        }),
    }
}

/// Runs `op` on the existing queue `name`, waiting for its lock no longer than allowed.
fn on_queue<T: Send + 'static>(
    name: &str,
    op: impl FnOnce(&mut Queue) -> Result<T, shmqueue_core::QueueError> + Send + 'static,
) -> Result<T, Failure> {
    access::with_queue(name, op)
}

fn list(json: bool) -> Result<(), Failure> {
    let found = inventory::scan()?;
    if json {
        let items: Vec<String> = found
            .iter()
            .map(|queue| {
                let head = format!(
                    "\"name\":{},\"owner\":{},\"mode\":\"{:04o}\"",
                    report::json_string(&queue.name),
                    report::json_string(&queue.owner),
                    queue.mode
                );
                match &queue.state {
                    Ok(snapshot) => format!("{{{head},\"stats\":{}}}", report::json(snapshot)),
                    Err(failure) => format!(
                        "{{{head},\"error\":{},\"exit_code\":{}}}",
                        report::json_string(&failure.message),
                        failure.code
                    ),
                }
            })
            .collect();
        return emit(&format!("[{}]\n", items.join(",")));
    }
    if found.is_empty() {
        return emit("no queues (nothing named shmqueue.* in /dev/shm)\n");
    }
    let width = found
        .iter()
        .map(|queue| queue.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:<width$}  {:>7}  {:>9}  {:>7}  {:>8}  {:>6}  {:<10} {}\n",
        "NAME", "LENGTH", "IN_FLIGHT", "DEAD", "CAPACITY", "USAGE", "OWNER", "MODE"
    );
    for queue in &found {
        let mode = format!("{:04o}", queue.mode);
        match &queue.state {
            Ok(snapshot) => {
                let s = &snapshot.stats;
                out.push_str(&format!(
                    "{:<width$}  {:>7}  {:>9}  {:>7}  {:>8}  {:>5.1}%  {:<10} {}\n",
                    queue.name,
                    s.length,
                    s.in_flight,
                    s.dead,
                    inventory::human_bytes(s.capacity),
                    snapshot.usage_percent(),
                    queue.owner,
                    mode
                ));
            }
            Err(failure) => out.push_str(&format!(
                "{:<width$}  {:>7}  {:>9}  {:>7}  {:>8}  {:>6}  {:<10} {}  cannot read: {}\n",
                queue.name, "-", "-", "-", "-", "-", queue.owner, mode, failure.message
            )),
        }
    }
    emit(&out)
}

fn stats(which: Which, format: Format, place: &Place) -> Result<(), Failure> {
    let mut snapshots = Vec::new();
    let mut first_failure = None;
    match which {
        Which::Named(names) => {
            for name in names {
                match inventory::read(&name, place) {
                    Ok(snapshot) => snapshots.push(snapshot),
                    Err(failure) => {
                        eprintln!("shmqueue: {}", failure.message);
                        // Said already: the exit code is the first failure's.
                        first_failure.get_or_insert(Failure {
                            code: failure.code,
                            message: String::new(),
                        });
                    }
                }
            }
        }
        // Whatever is there: a queue that cannot be read is said on stderr and left out, so a
        // metrics file keeps being written while one queue is damaged or not ours.
        Which::All => {
            for found in inventory::scan()? {
                match found.state {
                    Ok(snapshot) => snapshots.push(snapshot),
                    Err(failure) => eprintln!("shmqueue: skipped: {}", failure.message),
                }
            }
        }
    }
    let single = snapshots.len() == 1 && first_failure.is_none();
    let text = match format {
        Format::Prometheus => report::prometheus(&snapshots),
        Format::Json if single => format!("{}\n", report::json(&snapshots[0])),
        Format::Json => {
            let items: Vec<String> = snapshots.iter().map(report::json).collect();
            format!("[{}]\n", items.join(","))
        }
        Format::Text => {
            let blocks: Vec<String> = snapshots.iter().map(report::text).collect();
            blocks.join("\n")
        }
    };
    if !snapshots.is_empty() || format == Format::Prometheus {
        emit(&text)?;
    }
    first_failure.map_or(Ok(()), Err)
}

pub fn state_name(state: RecordState) -> &'static str {
    match state {
        RecordState::Ready => "ready",
        RecordState::Leased => "leased",
        RecordState::Delayed => "delayed",
        RecordState::Dead => "dead",
        RecordState::Done => "done",
        RecordState::Padding => "padding",
    }
}

fn peek(name: &str, max: usize) -> Result<(), Failure> {
    let messages = on_queue(name, move |queue| queue.peek(max))?;
    if messages.is_empty() {
        return emit(&format!("queue {name:?} holds no messages\n"));
    }
    let mut out = format!(
        "{:>4}  {:<7}  {:>8}  {:>8}  VALUE\n",
        "#", "STATE", "ATTEMPTS", "BYTES"
    );
    for (index, message) in messages.iter().enumerate() {
        out.push_str(&format!(
            "{:>4}  {:<7}  {:>8}  {:>8}  {}\n",
            index + 1,
            state_name(message.state),
            message.attempts,
            message.payload.len(),
            value::render(&message.payload, Limits::default())
        ));
    }
    emit(&out)
}

fn dead(name: &str, max: usize) -> Result<(), Failure> {
    let (letters, total) = on_queue(name, move |queue| {
        Ok((queue.dead_letters(max)?, queue.stats()?.dead))
    })?;
    if letters.is_empty() {
        return emit(&format!("queue {name:?} has no dead letters\n"));
    }
    let mut out = format!(
        "queue {name:?}: {total} dead letter(s), the oldest {} shown\n{:>4}  {:>8}  {:>8}  VALUE\n",
        letters.len(),
        "#",
        "ATTEMPTS",
        "BYTES"
    );
    for (index, (attempts, payload)) in letters.iter().enumerate() {
        out.push_str(&format!(
            "{:>4}  {:>8}  {:>8}  {}\n",
            index + 1,
            attempts,
            payload.len(),
            value::render(payload, Limits::default())
        ));
    }
    emit(&out)
}
