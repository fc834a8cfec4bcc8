//! Which `Host` a request may name. Reads need no token, so a page of another site that got its
//! name pointed at this machine (DNS rebinding) could otherwise read every queue through the
//! visitor's browser: only names that are this machine's answer, i.e. an address, `localhost`,
//! the machine's host name, or one the operator named with `--host` (a reverse proxy's).

use std::net::IpAddr;

pub struct Hosts {
    names: Vec<String>,
}

impl Hosts {
    pub fn new(extra: Option<&str>) -> Self {
        let mut names = vec!["localhost".to_owned()];
        if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            names.push(name.trim().to_ascii_lowercase());
        }
        names.extend(extra.map(str::to_ascii_lowercase));
        names.retain(|name| !name.is_empty());
        Self { names }
    }

    /// Why a request naming `host` is refused, or `None`. No `Host` at all (HTTP/1.0 tools)
    /// is not a browser's request and is answered.
    pub fn refuses(&self, host: Option<&str>) -> Option<String> {
        let host = host?;
        let name = without_port(host).to_ascii_lowercase();
        let known = name.parse::<IpAddr>().is_ok()
            || self.names.contains(&name)
            || name.ends_with(".localhost");
        (!known).then(|| {
            format!("refused a request for host {host:?}: not this machine's name (serve --host NAME allows one)")
        })
    }
}

/// `host` without its `:port`; an IPv6 address comes in brackets.
fn without_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(address, _)| address);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Hosts {
        Hosts {
            names: vec![
                "localhost".into(),
                "box".into(),
                "queues.example.org".into(),
            ],
        }
    }

    #[test]
    fn addresses_and_own_names_are_answered() {
        for host in [
            "127.0.0.1:9187",
            "10.1.2.3",
            "[::1]:9187",
            "localhost:80",
            "BOX:9187",
            "queues.example.org",
            "app.localhost:1",
        ] {
            assert_eq!(hosts().refuses(Some(host)), None, "{host}");
        }
        assert_eq!(hosts().refuses(None), None);
    }

    #[test]
    fn other_names_are_refused() {
        for host in [
            "evil.example",
            "evil.example:9187",
            "box.evil.example",
            "127.0.0.1.evil.example",
            "",
        ] {
            assert!(hosts().refuses(Some(host)).is_some(), "{host}");
        }
    }
}
