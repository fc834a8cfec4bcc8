//! A stored message shown the way PHP would write it: `['to' => 'a@b', 'n' => 3]`.
//!
//! Messages are decoded with the extension's own codec, so what is shown is what `deQueue()`
//! would return. A message holding objects was stored as PHP `serialize()` text, shown as the
//! expression that gives it back: `unserialize('O:8:"DateTime":3:{...}')`. Long strings and
//! big arrays are cut (`Limits`), saying how much was left out.

use std::convert::Infallible;
use std::fmt::Write;

use shmqueue_codec::Builder;

/// How much of a message to show.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of a string (or of serialize() text) shown before it is cut.
    pub string_bytes: usize,
    /// Elements of an array shown before the rest is summarised.
    pub array_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            string_bytes: 200,
            array_items: 20,
        }
    }
}

/// The message `blob` as PHP-like text; a message that does not decode says why, and how it starts.
pub fn render(blob: &[u8], limits: Limits) -> String {
    match shmqueue_codec::decode(blob, &mut Renderer { limits }) {
        Ok(text) => text,
        Err(error) => {
            let start: Vec<String> = blob.iter().take(16).map(|b| format!("{b:02x}")).collect();
            format!(
                "<undecodable message of {} bytes: {error}; starts {}{}>",
                blob.len(),
                start.join(" "),
                if blob.len() > 16 { " ..." } else { "" }
            )
        }
    }
}

struct Renderer {
    limits: Limits,
}

struct Items {
    is_list: bool,
    len: usize,
    shown: Vec<String>,
}

impl Renderer {
    fn push(&self, array: &mut Items, key: String, value: String) {
        if array.shown.len() < self.limits.array_items {
            array.shown.push(if array.is_list {
                value
            } else {
                format!("{key} => {value}")
            });
        }
    }
}

impl Builder for Renderer {
    type Value = String;
    type Array = Items;
    type Error = Infallible;

    fn null(&mut self) -> Result<String, Infallible> {
        Ok("null".into())
    }

    fn bool(&mut self, v: bool) -> Result<String, Infallible> {
        Ok(if v { "true" } else { "false" }.into())
    }

    fn int(&mut self, v: i64) -> Result<String, Infallible> {
        Ok(v.to_string())
    }

    fn float(&mut self, v: f64) -> Result<String, Infallible> {
        Ok(float_literal(v))
    }

    fn string(&mut self, v: &[u8]) -> Result<String, Infallible> {
        Ok(string_literal(v, self.limits.string_bytes))
    }

    fn object(&mut self, serialized: &[u8]) -> Result<String, Infallible> {
        Ok(format!(
            "unserialize({})",
            string_literal(serialized, self.limits.string_bytes)
        ))
    }

    fn begin_array(&mut self, len: usize, is_list: bool) -> Result<Items, Infallible> {
        Ok(Items {
            is_list,
            len,
            shown: Vec::with_capacity(len.min(self.limits.array_items)),
        })
    }

    fn push_index(&mut self, arr: &mut Items, key: i64, v: String) -> Result<(), Infallible> {
        self.push(arr, key.to_string(), v);
        Ok(())
    }

    fn push_str_key(&mut self, arr: &mut Items, key: &[u8], v: String) -> Result<(), Infallible> {
        self.push(arr, string_literal(key, self.limits.string_bytes), v);
        Ok(())
    }

    fn end_array(&mut self, arr: Items) -> Result<String, Infallible> {
        let mut text = String::from("[");
        text.push_str(&arr.shown.join(", "));
        let left_out = arr.len.saturating_sub(arr.shown.len());
        if left_out > 0 {
            let _ = write!(text, ", ... {left_out} more");
        }
        text.push(']');
        Ok(text)
    }
}

/// As PHP's var_export writes floats: always with a point or an exponent, INF, -INF, NAN.
pub fn float_literal(v: f64) -> String {
    if v.is_nan() {
        return "NAN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "INF" } else { "-INF" }.into();
    }
    let text = format!("{v:?}"); // shortest text that reads back to the same bits
    match text.split_once('e') {
        None => text,
        Some((mantissa, exponent)) => {
            let mantissa = if mantissa.contains('.') {
                mantissa.to_owned()
            } else {
                format!("{mantissa}.0")
            };
            let sign = if exponent.starts_with('-') { "" } else { "+" };
            format!("{mantissa}E{sign}{exponent}")
        }
    }
}

/// A PHP string literal for any bytes: 'single-quoted' when the text is plain, "double-quoted"
/// with escapes when it has control characters or bytes that are not UTF-8. Cut after `max`
/// bytes (at a character boundary), with the full length said after it.
pub fn string_literal(bytes: &[u8], max: usize) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let (text, invalid_tail) = match std::str::from_utf8(shown) {
        Ok(text) => (text, &[][..]),
        // A cut through a multi-byte character is not "binary": show up to the cut.
        Err(error) if error.error_len().is_none() && shown.len() < bytes.len() => (
            std::str::from_utf8(&shown[..error.valid_up_to()]).unwrap_or_default(),
            &[][..],
        ),
        Err(_) => ("", shown),
    };
    let mut literal = if invalid_tail.is_empty() && !text.chars().any(char::is_control) {
        let mut quoted = String::with_capacity(text.len() + 2);
        quoted.push('\'');
        for c in text.chars() {
            if c == '\'' || c == '\\' {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('\'');
        quoted
    } else {
        double_quoted(shown)
    };
    if shown.len() < bytes.len() {
        literal.insert(literal.len() - 1, '…');
        let _ = write!(literal, " ({} bytes)", bytes.len());
    }
    literal
}

fn double_quoted(bytes: &[u8]) -> String {
    let mut quoted = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => quoted.push_str("\\n"),
                '\r' => quoted.push_str("\\r"),
                '\t' => quoted.push_str("\\t"),
                '\\' => quoted.push_str("\\\\"),
                '"' => quoted.push_str("\\\""),
                '$' => quoted.push_str("\\$"),
                c if c.is_control() && (c as u32) < 0x100 => {
                    let _ = write!(quoted, "\\x{:02x}", c as u32);
                }
                c if c.is_control() => {
                    let _ = write!(quoted, "\\u{{{:x}}}", c as u32);
                }
                c => quoted.push(c),
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(quoted, "\\x{byte:02x}");
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use shmqueue_codec::Writer;

    use super::*;

    fn shown(build: impl FnOnce(&mut Writer)) -> String {
        let mut writer = Writer::new();
        build(&mut writer);
        render(writer.as_bytes(), Limits::default())
    }

    #[test]
    fn scalars_as_php_writes_them() {
        assert_eq!(shown(|w| w.null()), "null");
        assert_eq!(shown(|w| w.bool(true)), "true");
        assert_eq!(shown(|w| w.int(-42)), "-42");
        assert_eq!(shown(|w| w.float(1.0)), "1.0");
        assert_eq!(shown(|w| w.float(-0.0)), "-0.0");
        assert_eq!(shown(|w| w.float(0.1)), "0.1");
        assert_eq!(shown(|w| w.float(1e20)), "1.0E+20");
        assert_eq!(shown(|w| w.float(1.5e-7)), "1.5E-7");
        assert_eq!(shown(|w| w.float(f64::NEG_INFINITY)), "-INF");
        assert_eq!(shown(|w| w.float(f64::NAN)), "NAN");
    }

    #[test]
    fn strings_plain_escaped_and_binary() {
        assert_eq!(shown(|w| w.string(b"a@b")), "'a@b'");
        assert_eq!(shown(|w| w.string("it's \\ é".as_bytes())), r"'it\'s \\ é'");
        assert_eq!(
            shown(|w| w.string(b"line\n\ttab $x \"q\"")),
            r#""line\n\ttab \$x \"q\"""#
        );
        assert_eq!(shown(|w| w.string(b"\x00\xff\x01z")), r#""\x00\xff\x01z""#);
        assert_eq!(shown(|w| w.string(b"")), "''");
    }

    #[test]
    fn long_strings_are_cut_saying_their_length() {
        let long = "é".repeat(150); // 300 bytes: the cut at 200 falls on a character boundary
        let text = shown(|w| w.string(long.as_bytes()));
        assert_eq!(text, format!("'{}…' (300 bytes)", "é".repeat(100)));
        let odd = format!("x{}", "é".repeat(150)); // the cut at 200 falls inside an é
        let text = shown(|w| w.string(odd.as_bytes()));
        assert_eq!(text, format!("'x{}…' (301 bytes)", "é".repeat(99)));
    }

    #[test]
    fn arrays_lists_and_maps() {
        let text = shown(|w| {
            w.map(3).unwrap();
            w.key_str(b"to");
            w.string(b"a@b");
            w.key_str(b"n");
            w.int(3);
            w.key_int(7);
            w.list(2).unwrap();
            w.bool(false);
            w.null();
            w.end_container();
            w.end_container();
        });
        assert_eq!(text, "['to' => 'a@b', 'n' => 3, 7 => [false, null]]");
        assert_eq!(
            shown(|w| {
                w.list(0).unwrap();
                w.end_container();
            }),
            "[]"
        );
    }

    #[test]
    fn big_arrays_say_how_many_were_left_out() {
        let text = shown(|w| {
            w.list(25).unwrap();
            for i in 0..25 {
                w.int(i);
            }
            w.end_container();
        });
        let first: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        assert_eq!(text, format!("[{}, ... 5 more]", first.join(", ")));
    }

    #[test]
    fn objects_as_the_unserialize_call_that_gives_them_back() {
        let serialized = br#"O:8:"stdClass":1:{s:1:"a";i:1;}"#;
        assert_eq!(
            shown(|w| w.object(serialized)),
            r#"unserialize('O:8:"stdClass":1:{s:1:"a";i:1;}')"#
        );
    }

    #[test]
    fn damaged_messages_say_why_and_how_they_start() {
        let text = render(b"\x01\x05\x09ab", Limits::default());
        assert!(
            text.starts_with("<undecodable message of 5 bytes: "),
            "{text}"
        );
        assert!(text.ends_with("starts 01 05 09 61 62>"), "{text}");
    }
}
