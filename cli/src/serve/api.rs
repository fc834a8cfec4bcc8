//! The JSON the page reads and the actions it sends, on the same core calls as the command's
//! `stats`, `peek`, `dead`, `requeue-dead` and `purge`.

use std::fmt::Write;

use shmqueue_core::Queue;

use super::history::History;
use crate::access;
use crate::failure::{self, Failure};
use crate::inventory::{self, Found};
use crate::report::{self, json_string};
use crate::value::{self, Limits};

/// Messages and dead letters shown per queue.
const SHOWN: usize = 50;

pub fn error(why: &str) -> String {
    format!("{{\"error\":{}}}", json_string(why))
}

/// Every queue with its counters, rates and the waiting messages' age.
pub fn queues(history: &History) -> String {
    let found = match inventory::scan() {
        Ok(found) => found,
        Err(failure) => return error(&failure.message),
    };
    let rows: Vec<String> = found.iter().map(|queue| row(queue, history)).collect();
    format!("{{\"queues\":[{}]}}", rows.join(","))
}

fn row(queue: &Found, history: &History) -> String {
    let mut out = format!(
        "{{\"name\":{},\"owner\":{},\"mode\":\"{:04o}\"",
        json_string(&queue.name),
        json_string(&queue.owner),
        queue.mode
    );
    match &queue.state {
        Err(failure) => {
            let _ = write!(out, ",\"error\":{}", json_string(&failure.message));
        }
        Ok(snapshot) => {
            let rates = history.current_rates(&queue.name);
            let waiting = snapshot.stats.ready + snapshot.stats.delayed;
            let age = history.oldest_age(&queue.name, waiting);
            let _ = write!(
                out,
                ",\"stats\":{},\"usage_percent\":{:.2},\"rates\":{{\"enqueued\":{:.3},\"acked\":{:.3},\
                 \"failures\":{:.3},\"retries\":{:.3},\"full\":{:.3}}},\"oldest_age\":{},\
                 \"oldest_age_exact\":{}",
                report::json(snapshot),
                snapshot.usage_percent(),
                rates.enqueued,
                rates.acked,
                rates.failures,
                rates.retries,
                rates.full,
                age.map_or("null".to_owned(), |(age, _)| format!("{age:.1}")),
                age.is_none_or(|(_, exact)| exact),
            );
        }
    }
    out.push('}');
    out
}

/// HTTP status for a failure: unknown queue 404, not ours 403, anything else 409.
fn status(failure: &Failure) -> u16 {
    match failure.code {
        failure::NOT_FOUND => 404,
        failure::PERMISSION => 403,
        failure::USAGE => 400,
        _ => 409,
    }
}

fn on_queue<T: Send + 'static>(
    name: &str,
    op: impl FnOnce(&mut Queue) -> Result<T, shmqueue_core::QueueError> + Send + 'static,
) -> Result<T, (u16, String)> {
    shmqueue_core::segment::validate_name(name)
        .map_err(|error| Failure::from_queue(name, error))
        .and_then(|()| access::with_queue(name, op))
        .map_err(|failure| (status(&failure), failure.message))
}

/// One queue's waiting and leased messages and its dead letters, with readable previews.
pub fn queue(name: &str) -> Result<String, (u16, String)> {
    let (messages, dead) = on_queue(name, |queue| {
        Ok((queue.peek(SHOWN)?, queue.dead_letters(SHOWN)?))
    })?;
    let limits = Limits::default();
    let now = shmqueue_core::now_ms();
    let messages: Vec<String> = messages
        .iter()
        .map(|message| {
            // A lease whose time ran out but whose job nobody has taken again yet is overdue.
            let lease = message.until_ms.map_or("null".to_owned(), |until| {
                format!("{:.3}", (until as f64 - now as f64) / 1000.0)
            });
            format!(
                "{{\"state\":\"{}\",\"attempts\":{},\"bytes\":{},\"lease_left\":{lease},\
                 \"overdue\":{},\"preview\":{}}}",
                crate::state_name(message.state),
                message.attempts,
                message.payload.len(),
                message.until_ms.is_some_and(|until| until <= now),
                json_string(&value::render(&message.payload, limits))
            )
        })
        .collect();
    let dead: Vec<String> = dead
        .iter()
        .map(|(attempts, payload)| {
            format!(
                "{{\"attempts\":{attempts},\"bytes\":{},\"preview\":{}}}",
                payload.len(),
                json_string(&value::render(payload, limits))
            )
        })
        .collect();
    Ok(format!(
        "{{\"name\":{},\"messages\":[{}],\"dead\":[{}]}}",
        json_string(name),
        messages.join(","),
        dead.join(",")
    ))
}

/// `NAME/ACTION`: requeue-dead, purge-dead, pause or resume.
pub fn act(target: &str) -> Result<String, (u16, String)> {
    let Some((name, action)) = target.split_once('/') else {
        return Err((404, "no such action".to_owned()));
    };
    let done = match action {
        "requeue-dead" => {
            let moved = on_queue(name, |queue| queue.requeue_dead())?;
            format!("requeued {moved} dead letter(s) of {name}")
        }
        "purge-dead" => {
            let purged = on_queue(name, |queue| queue.purge_dead())?;
            format!("purged {purged} dead letter(s) of {name}")
        }
        "pause" | "resume" => {
            let pause = action == "pause";
            let changed = on_queue(
                name,
                move |queue| {
                    if pause {
                        queue.pause()
                    } else {
                        queue.resume()
                    }
                },
            )?;
            match (pause, changed) {
                (true, true) => format!("paused {name}"),
                (true, false) => format!("{name} was paused already"),
                (false, true) => format!("resumed {name}"),
                (false, false) => format!("{name} was not paused"),
            }
        }
        _ => return Err((404, format!("no action {action:?}"))),
    };
    Ok(format!("{{\"done\":{}}}", json_string(&done)))
}

/// The Prometheus text of every readable queue (as `shmqueue stats --prometheus`).
pub fn metrics() -> String {
    let snapshots: Vec<_> = inventory::scan()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|queue| queue.state.ok())
        .collect();
    report::prometheus(&snapshots)
}
