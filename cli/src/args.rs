//! The command line: what the operator asked for, parsed by hand (a dozen words need no framework).

use std::time::Duration;

use crate::failure::Failure;
use crate::transfer::Overrides;
use shmqueue_core::Place;

pub const USAGE: &str = "\
usage: shmqueue COMMAND [ARGUMENTS]

Looks at and manages the shmqueue queues of this machine (/dev/shm/shmqueue.*), the ones PHP's
SHMQueue class uses. Only import creates a queue.

commands:
  list [--json]                      every queue: depth, in flight, dead, capacity, usage, owner
  stats NAME... [--json|--prometheus] [--durable [--durable-dir DIR]]
  stats --all [--json|--prometheus]  counters and settings; --prometheus writes the text format
                                     of node_exporter's textfile collector; with --all, queues
                                     that cannot be read are reported on stderr and skipped
  peek NAME [N]                      the oldest N messages (default 10) with their state
                                     (ready, leased, delayed, dead) and attempts, left in place
  dead NAME [N]                      the oldest N dead letters (default 10)
  requeue-dead NAME                  makes every dead letter of NAME available again
  pause NAME | resume NAME           stops every take of NAME (deQueue, reserve: they find
                                     nothing and blocked ones keep waiting; enQueue goes on)
                                     until resume, which wakes them
  purge NAME                         deletes every dead letter of NAME (waiting messages stay)
  remove NAME                        deletes the queue NAME and its messages, without asking
  export NAME [FILE] [--durable [--durable-dir DIR]]
                                     writes every message of NAME (ready, delayed, leased, dead,
                                     with attempts and times) to FILE (or stdout), in a format
                                     independent of the layout version; the queue is left as it is
  import NAME FILE [--capacity BYTES] [--max-attempts N] [--durable [--durable-dir DIR]]
                                     appends the messages of FILE (- for stdin) to NAME, created
                                     if missing with the export's settings (or these); leased
                                     ones become ready; all or nothing: a damaged file or a queue
                                     without room for all of them imports nothing;
                                     --durable: the durable queue DIR/NAME.shmq (default DIR
                                     /var/lib/shmqueue) rather than the one in /dev/shm
  watch NAME [--interval S] [--count N]
                                     a line every S seconds (default 1): depth, in flight, dead
                                     and enqueue/dequeue rates; stops after N lines if given
  serve [--listen ADDR] [--token-file FILE] [--host NAME]
                                     a page for the browser at http://ADDR (default
                                     127.0.0.1:9187) with every queue, rate charts, messages
                                     and dead letters, /metrics for Prometheus and a JSON API;
                                     actions need the token it prints (or keeps in FILE);
                                     answers requests for an address, localhost, this host's
                                     name, or NAME (a reverse proxy's) only
  help                               this text

exit codes: 0 done, 1 usage, 2 queue (or import file) not found, 3 permission denied,
            4 queue of an unknown layout version or damaged, or an import file that is damaged
            or of a newer format, 5 any other failure, 6 no room for the whole import
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Prometheus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Which {
    Named(Vec<String>),
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Version,
    List {
        json: bool,
    },
    Stats {
        which: Which,
        format: Format,
        place: Place, // `--durable`: files, with their durable counters
    },
    Peek {
        name: String,
        max: usize,
    },
    Dead {
        name: String,
        max: usize,
    },
    RequeueDead {
        name: String,
    },
    Purge {
        name: String,
    },
    Remove {
        name: String,
    },
    Watch {
        name: String,
        interval: Duration,
        count: Option<u64>,
    },
    Pause {
        name: String,
        paused: bool,
    },
    Export {
        name: String,
        file: Option<String>,
        place: Place,
    },
    Import {
        name: String,
        file: String,
        overrides: Overrides,
        place: Place,
    },
    Serve {
        listen: String,
        token_file: Option<String>,
        host: Option<String>,
    },
}

const DEFAULT_SHOWN: usize = 10;

pub(crate) fn usage(why: String) -> Failure {
    Failure::usage(why)
}

/// Splits the words after the command into flags (with their values) and positional words.
pub(crate) struct Words {
    pub command: String,
    positional: Vec<String>,
    flags: Vec<(String, Option<String>)>,
}

/// Flags that take a value (`--interval 2` or `--interval=2`).
const VALUED_FLAGS: [&str; 8] = [
    "--capacity",
    "--durable-dir",
    "--max-attempts",
    "--interval",
    "--count",
    "--listen",
    "--token-file",
    "--host",
];

fn split(command: &str, rest: &[String]) -> Result<Words, Failure> {
    let mut words = Words {
        command: command.to_owned(),
        positional: Vec::new(),
        flags: Vec::new(),
    };
    let mut rest = rest.iter();
    while let Some(word) = rest.next() {
        if !word.starts_with("--") || word == "--" {
            words.positional.push(word.clone());
            continue;
        }
        let (flag, inline) = match word.split_once('=') {
            Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
            None => (word.clone(), None),
        };
        let value = if VALUED_FLAGS.contains(&flag.as_str()) {
            match inline {
                Some(value) => Some(value),
                None => Some(
                    rest.next()
                        .ok_or_else(|| usage(format!("{flag} needs a value")))?
                        .clone(),
                ),
            }
        } else if inline.is_some() {
            return Err(usage(format!("{flag} takes no value")));
        } else {
            None
        };
        words.flags.push((flag, value));
    }
    Ok(words)
}

impl Words {
    pub(crate) fn allow_flags(&self, allowed: &[&str]) -> Result<(), Failure> {
        match self
            .flags
            .iter()
            .find(|(flag, _)| !allowed.contains(&flag.as_str()))
        {
            Some((flag, _)) => Err(usage(format!("{}: unknown option {flag}", self.command))),
            None => Ok(()),
        }
    }

    pub(crate) fn has(&self, flag: &str) -> bool {
        self.flags.iter().any(|(f, _)| f == flag)
    }

    pub(crate) fn value(&self, flag: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(f, _)| f == flag)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The whole number given with `flag`, if any.
    pub(crate) fn number<T: std::str::FromStr>(&self, flag: &str) -> Result<Option<T>, Failure> {
        let parse = |text: &str| {
            text.parse().map_err(|_| {
                usage(format!(
                    "{}: {flag} must be a whole number within range, not {text:?}",
                    self.command
                ))
            })
        };
        self.value(flag).map(parse).transpose()
    }

    /// Exactly NAME, then up to `optional` more positional words.
    pub(crate) fn name_and(&self, optional: usize) -> Result<(String, &[String]), Failure> {
        let Some((name, more)) = self.positional.split_first() else {
            return Err(usage(format!(
                "{}: which queue? (shmqueue {} NAME)",
                self.command, self.command
            )));
        };
        if more.len() > optional {
            return Err(usage(format!(
                "{}: unexpected argument {:?}",
                self.command, more[optional]
            )));
        }
        Ok((name.clone(), more))
    }
}

fn count_argument(command: &str, word: Option<&String>) -> Result<usize, Failure> {
    match word {
        None => Ok(DEFAULT_SHOWN),
        Some(word) => word
            .parse::<usize>()
            .map_err(|_| usage(format!("{command}: N must be a whole number, not {word:?}"))),
    }
}

pub fn parse(args: &[String]) -> Result<Command, Failure> {
    let Some((command, rest)) = args.split_first() else {
        return Err(usage("no command given".into()));
    };
    let words = split(command, rest)?;
    match command.as_str() {
        "help" | "--help" | "-h" => Ok(Command::Help),
        "--version" | "version" => Ok(Command::Version),
        "list" => {
            words.allow_flags(&["--json"])?;
            if let Some(extra) = words.positional.first() {
                return Err(usage(format!("list: unexpected argument {extra:?}")));
            }
            Ok(Command::List {
                json: words.has("--json"),
            })
        }
        "stats" => {
            words.allow_flags(&[
                "--json",
                "--prometheus",
                "--all",
                "--durable",
                "--durable-dir",
            ])?;
            let place = crate::transfer::place_of(&words)?;
            let format = match (words.has("--json"), words.has("--prometheus")) {
                (true, true) => {
                    return Err(usage("stats: choose one of --json and --prometheus".into()))
                }
                (true, false) => Format::Json,
                (false, true) => Format::Prometheus,
                (false, false) => Format::Text,
            };
            let which = match (words.has("--all"), words.positional.is_empty()) {
                (true, true) if place.durable => {
                    return Err(usage("stats --durable: name queues, not --all".into()))
                }
                (true, true) => Which::All,
                (true, false) => {
                    return Err(usage("stats: give queue names or --all, not both".into()))
                }
                (false, true) => {
                    return Err(usage(
                        "stats: which queue? (shmqueue stats NAME, or --all)".into(),
                    ))
                }
                (false, false) => Which::Named(words.positional.clone()),
            };
            Ok(Command::Stats {
                which,
                format,
                place,
            })
        }
        "peek" | "dead" => {
            words.allow_flags(&[])?;
            let (name, more) = words.name_and(1)?;
            let max = count_argument(command, more.first())?;
            Ok(if command == "peek" {
                Command::Peek { name, max }
            } else {
                Command::Dead { name, max }
            })
        }
        "requeue-dead" | "purge" | "remove" | "pause" | "resume" => {
            words.allow_flags(&[])?;
            let (name, _) = words.name_and(0)?;
            Ok(match command.as_str() {
                "requeue-dead" => Command::RequeueDead { name },
                "purge" => Command::Purge { name },
                "pause" => Command::Pause { name, paused: true },
                "resume" => Command::Pause {
                    name,
                    paused: false,
                },
                _ => Command::Remove { name },
            })
        }
        "export" | "import" => crate::transfer::parse(&words),
        "watch" => {
            words.allow_flags(&["--interval", "--count"])?;
            let (name, _) = words.name_and(0)?;
            let interval = match words.value("--interval") {
                None => Duration::from_secs(1),
                Some(text) => match text.parse::<f64>() {
                    Ok(seconds) if seconds.is_finite() && (0.01..=3600.0).contains(&seconds) => {
                        Duration::from_secs_f64(seconds)
                    }
                    _ => {
                        return Err(usage(format!(
                            "watch: --interval must be seconds within 0.01..=3600, not {text:?}"
                        )))
                    }
                },
            };
            let count = match words.value("--count") {
                None => None,
                Some(text) => match text.parse::<u64>() {
                    Ok(n) if n > 0 => Some(n),
                    _ => {
                        return Err(usage(format!(
                            "watch: --count must be a positive whole number, not {text:?}"
                        )))
                    }
                },
            };
            Ok(Command::Watch {
                name,
                interval,
                count,
            })
        }
        "serve" => {
            words.allow_flags(&["--listen", "--token-file", "--host"])?;
            if let Some(extra) = words.positional.first() {
                return Err(usage(format!("serve: unexpected argument {extra:?}")));
            }
            Ok(Command::Serve {
                listen: words
                    .value("--listen")
                    .unwrap_or("127.0.0.1:9187")
                    .to_owned(),
                token_file: words.value("--token-file").map(str::to_owned),
                host: words.value("--host").map(str::to_owned),
            })
        }
        other => Err(usage(format!("unknown command {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(line: &str) -> Result<Command, Failure> {
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        parse(&args)
    }

    fn usage_message(line: &str) -> String {
        match parse_words(line) {
            Err(failure) => {
                assert_eq!(
                    failure.code,
                    crate::failure::USAGE,
                    "{line}: {}",
                    failure.message
                );
                failure.message
            }
            Ok(command) => panic!("{line}: expected a usage error, got {command:?}"),
        }
    }

    #[test]
    fn commands_with_their_defaults() {
        assert_eq!(parse_words("list").unwrap(), Command::List { json: false });
        assert_eq!(
            parse_words("peek jobs").unwrap(),
            Command::Peek {
                name: "jobs".into(),
                max: 10
            }
        );
        assert_eq!(
            parse_words("dead jobs 3").unwrap(),
            Command::Dead {
                name: "jobs".into(),
                max: 3
            }
        );
        assert_eq!(
            parse_words("purge jobs").unwrap(),
            Command::Purge {
                name: "jobs".into()
            }
        );
        assert_eq!(
            parse_words("requeue-dead jobs").unwrap(),
            Command::RequeueDead {
                name: "jobs".into()
            }
        );
        assert_eq!(
            parse_words("remove jobs").unwrap(),
            Command::Remove {
                name: "jobs".into()
            }
        );
        assert_eq!(
            parse_words("watch jobs").unwrap(),
            Command::Watch {
                name: "jobs".into(),
                interval: Duration::from_secs(1),
                count: None
            }
        );
    }

    #[test]
    fn stats_formats_and_selection() {
        assert_eq!(
            parse_words("stats a b --prometheus").unwrap(),
            Command::Stats {
                which: Which::Named(vec!["a".into(), "b".into()]),
                format: Format::Prometheus,
                place: Place::shm(),
            }
        );
        assert_eq!(
            parse_words("stats --all --json").unwrap(),
            Command::Stats {
                which: Which::All,
                format: Format::Json,
                place: Place::shm(),
            }
        );
        assert!(usage_message("stats a --json --prometheus").contains("choose one"));
        assert!(usage_message("stats").contains("which queue"));
        assert!(usage_message("stats a --all").contains("not both"));
    }

    #[test]
    fn watch_options_in_both_spellings() {
        assert_eq!(
            parse_words("watch q --interval 0.2 --count=3").unwrap(),
            Command::Watch {
                name: "q".into(),
                interval: Duration::from_millis(200),
                count: Some(3)
            }
        );
        assert!(usage_message("watch q --interval").contains("needs a value"));
        assert!(usage_message("watch q --interval 0").contains("--interval"));
        assert!(usage_message("watch q --count 0").contains("--count"));
    }

    #[test]
    fn mistakes_are_usage_errors_that_say_what_is_wrong() {
        assert!(usage_message("").contains("no command"));
        assert!(usage_message("frobnicate").contains("\"frobnicate\""));
        assert!(usage_message("peek").contains("which queue"));
        assert!(usage_message("peek q many").contains("\"many\""));
        assert!(usage_message("peek q 1 2").contains("unexpected argument \"2\""));
        assert!(usage_message("remove q --force").contains("--force"));
        assert!(usage_message("list --json=yes").contains("takes no value"));
    }
}
