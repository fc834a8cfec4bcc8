//! `shmqueue serve`: the queues of this machine on a page an operator opens in a browser, a
//! JSON API the page uses, and `/metrics` for Prometheus. It never creates a queue, holds a
//! queue's lock only as long as `stats()` does, and changes a queue only for a POST carrying
//! the token it printed at start (read-only to anyone else).

mod api;
mod chart;
mod history;
mod host;
mod token;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::failure::Failure;
use history::History;
use host::Hosts;
use token::Token;

/// Requests answered at once; more wait in the listening socket's queue.
const CONCURRENT_REQUESTS: usize = 8;
/// A POST body is never needed; anything longer is refused unread.
const MAX_BODY: u64 = 4096;

pub struct Options {
    pub listen: String,
    pub token_file: Option<String>,
    /// One more name the page may be reached by (a reverse proxy's).
    pub host: Option<String>,
}

pub fn run(options: Options) -> Result<(), Failure> {
    let token = Token::load_or_make(options.token_file.as_deref())?;
    let server = Server::http(&options.listen)
        .map_err(|error| Failure::other(format!("cannot listen on {}: {error}", options.listen)))?;
    let history = History::default();
    let started = Instant::now();
    {
        let history = history.clone();
        std::thread::spawn(move || history::sample_forever(history, started));
    }
    println!(
        "shmqueue serve: http://{} (read-only without the token)",
        options.listen
    );
    match &options.token_file {
        Some(file) => println!("token: in {file}"),
        None => println!("token: {}", token.as_str()),
    }
    let hosts = Hosts::new(options.host.as_deref());
    let shared = Arc::new(Shared {
        history,
        token,
        hosts,
    });
    let busy = Arc::new(AtomicUsize::new(0));
    for request in server.incoming_requests() {
        if busy.fetch_add(1, Ordering::AcqRel) >= CONCURRENT_REQUESTS {
            busy.fetch_sub(1, Ordering::AcqRel);
            let _ = request.respond(text(503, "busy: try again"));
            continue;
        }
        let (shared, busy) = (Arc::clone(&shared), Arc::clone(&busy));
        std::thread::spawn(move || {
            handle(&shared, request);
            busy.fetch_sub(1, Ordering::AcqRel);
        });
    }
    Ok(())
}

/// What every request handler reads.
pub struct Shared {
    history: History,
    token: Token,
    hosts: Hosts,
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn handle(shared: &Shared, mut request: Request) {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let host = request
        .headers()
        .iter()
        .find(|header| header.field.equiv("Host"))
        .map(|header| header.value.as_str().to_owned());
    if let Some(why) = shared.hosts.refuses(host.as_deref()) {
        let _ = request.respond(json(421, api::error(&why)));
        return;
    }
    let reply = match (request.method(), path) {
        (Method::Get, "/") => typed(200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec()),
        (Method::Get, "/metrics") => typed(
            200,
            "text/plain; version=0.0.4",
            api::metrics().into_bytes(),
        ),
        (Method::Get, "/api/queues") => json(200, api::queues(&shared.history)),
        (Method::Get, path) if path.starts_with("/api/queue/") => {
            json_result(api::queue(&path["/api/queue/".len()..]))
        }
        (Method::Get, path) if path.starts_with("/chart/") && path.ends_with(".svg") => {
            let name = &path["/chart/".len()..path.len() - ".svg".len()];
            let minutes = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("minutes="))
                .and_then(|value| value.parse::<f64>().ok())
                .unwrap_or(15.0)
                .clamp(1.0, 60.0);
            let samples = shared.history.recent(name, minutes * 60.0);
            typed(
                200,
                "image/svg+xml",
                chart::rates_svg(&samples, minutes * 60.0).into_bytes(),
            )
        }
        (Method::Post, path) if path.starts_with("/api/queue/") => {
            let refused = shared.token.refuses(&request).or_else(|| {
                let mut body = Vec::new();
                let read = request
                    .as_reader()
                    .take(MAX_BODY + 1)
                    .read_to_end(&mut body);
                (read.is_err() || body.len() as u64 > MAX_BODY)
                    .then(|| "the request body is not empty".to_owned())
            });
            match refused {
                Some(why) => json(403, api::error(&why)),
                None => json_result(api::act(&path["/api/queue/".len()..])),
            }
        }
        _ => json(404, api::error("no such page")),
    };
    let _ = request.respond(reply);
}

const PAGE: &str = include_str!("page.html");

fn typed(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    let mut response = Response::from_data(body).with_status_code(status);
    for (name, value) in [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'"),
    ] {
        if let Ok(header) = Header::from_bytes(name, value) {
            response.add_header(header);
        }
    }
    response
}

fn text(status: u16, body: &str) -> Reply {
    typed(
        status,
        "text/plain; charset=utf-8",
        body.as_bytes().to_vec(),
    )
}

fn json(status: u16, body: String) -> Reply {
    typed(status, "application/json", body.into_bytes())
}

/// A queue's trouble (unknown, damaged, removed meanwhile) is a message for the page, with the
/// status that says which.
fn json_result(result: Result<String, (u16, String)>) -> Reply {
    match result {
        Ok(body) => json(200, body),
        Err((status, why)) => json(status, api::error(&why)),
    }
}
