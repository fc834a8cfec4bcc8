//! Users as an operator knows them: login names, and who owns a file with what mode.

use std::os::unix::fs::MetadataExt;

/// The login name of `uid` from /etc/passwd, else the number.
pub fn user_name(uid: u32) -> String {
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                let id = fields.nth(1)?;
                (id.parse() == Ok(uid)).then(|| name.to_owned())
            })
        })
        .unwrap_or_else(|| uid.to_string())
}

/// "owner www-data, mode 0600" for a path, when it can be read.
pub fn owner_and_mode(path: &str) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    Some(format!(
        "owner {}, mode {:04o}",
        user_name(metadata.uid()),
        metadata.mode() & 0o7777
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_uid_0() {
        assert_eq!(user_name(0), "root");
        assert_eq!(user_name(4_000_000_000), "4000000000");
    }
}
