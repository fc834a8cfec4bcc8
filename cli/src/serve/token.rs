//! Who may change a queue: a request that carries the server's token in the
//! `X-Shmqueue-Token` header, sent from the server's own page. A custom header cannot be sent
//! by a page of another site without a CORS preflight, which this server never grants, and the
//! browser's `Origin` and `Sec-Fetch-Site` must say the request comes from here (CSRF).

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;

use tiny_http::Request;

use crate::failure::Failure;

pub struct Token(String);

impl Token {
    /// The token in `file`, or a new random one (written to `file` with mode 0600 when given).
    pub fn load_or_make(file: Option<&str>) -> Result<Token, Failure> {
        if let Some(file) = file {
            if let Ok(text) = std::fs::read_to_string(file) {
                let text = text.trim();
                if text.len() < 16 {
                    return Err(Failure::other(format!(
                        "the token in {file} is shorter than 16 characters"
                    )));
                }
                return Ok(Token(text.to_owned()));
            }
        }
        let token = Token(random_hex(16)?);
        if let Some(file) = file {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(file)
                .and_then(|mut out| std::io::Write::write_all(&mut out, token.0.as_bytes()))
                .map_err(|error| Failure::other(format!("cannot write {file}: {error}")))?;
        }
        Ok(token)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Why `request` may not change anything, or `None` when it may.
    pub fn refuses(&self, request: &Request) -> Option<String> {
        let header = |name: &'static str| {
            request
                .headers()
                .iter()
                .find(|header| header.field.equiv(name))
                .map(|header| header.value.as_str().to_owned())
        };
        match header("X-Shmqueue-Token").filter(|given| !given.is_empty()) {
            None => return Some("read-only: this action needs the server's token".to_owned()),
            Some(given) if !constant_time_eq(given.as_bytes(), self.0.as_bytes()) => {
                return Some("the token is wrong".to_owned())
            }
            Some(_) => {}
        }
        if let Some(site) = header("Sec-Fetch-Site") {
            if site != "same-origin" && site != "none" {
                return Some(format!("refused a request from another site ({site})"));
            }
        }
        if let (Some(origin), Some(host)) = (header("Origin"), header("Host")) {
            let from = origin
                .split_once("://")
                .map_or(origin.as_str(), |(_, rest)| rest);
            if from != host {
                return Some(format!("refused a request from another origin ({origin})"));
            }
        }
        None
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_hex(bytes: usize) -> Result<String, Failure> {
    let mut buffer = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut buffer))
        .map_err(|error| Failure::other(format!("cannot read /dev/urandom: {error}")))?;
    Ok(buffer.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_tokens_only() {
        assert!(constant_time_eq(b"abcdef", b"abcdef"));
        assert!(!constant_time_eq(b"abcdef", b"abcdeg"));
        assert!(!constant_time_eq(b"abc", b"abcdef"));
    }

    #[test]
    fn new_tokens_are_random_hex() {
        let (a, b) = (
            random_hex(16).expect("token"),
            random_hex(16).expect("token"),
        );
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
