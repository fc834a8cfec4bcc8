//! A look into PHP's `serialize()` output without unserializing it: how deep it nests.
//!
//! A value that `serialize()` writes but `unserialize()` will not read back (nested deeper than
//! `unserialize_max_depth`) must be refused when it is enqueued: found at dequeue time, the
//! message would already be gone.

/// The deepest nesting of `{...}` in serialized data. Length-prefixed text (strings, class and
/// enum names: `s:5:"a{b}c";`, `O:3:"Foo":...`) is skipped whole, since it may hold braces.
pub fn nesting_depth(data: &[u8]) -> usize {
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < data.len() {
        match data[i] {
            b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b's' | b'E' | b'O' | b'C' if data.get(i + 1) == Some(&b':') => {
                let mut j = i + 2;
                let mut len = 0usize;
                while let Some(digit) = data.get(j).filter(|b| b.is_ascii_digit()) {
                    len = len
                        .saturating_mul(10)
                        .saturating_add(usize::from(digit - b'0'));
                    j += 1;
                }
                i = if data.get(j..j + 2) == Some(b":\"") {
                    j.saturating_add(3).saturating_add(len)
                } else {
                    j
                };
            }
            _ => i += 1,
        }
    }
    deepest
}
