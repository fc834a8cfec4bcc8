//! A message's bytes on their way into the ring and out of it, with no copy a front end does
//! not need: a message may come in two pieces (the front end's few bytes of header and a body
//! it already holds, such as a string's bytes), and a taken message's bytes go to a `Sink`
//! straight from the ring, into memory the front end allocated before the lock.

/// A message to store, as one piece or two written back to back.
#[derive(Clone, Copy, Debug)]
pub struct Payload<'a> {
    head: &'a [u8],
    body: &'a [u8],
}

impl<'a> Payload<'a> {
    /// The message `head` followed by `body`.
    pub fn in_two(head: &'a [u8], body: &'a [u8]) -> Payload<'a> {
        Payload { head, body }
    }

    pub fn len(&self) -> usize {
        self.head.len() + self.body.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pieces, in order.
    pub fn parts(&self) -> [&'a [u8]; 2] {
        [self.head, self.body]
    }
}

impl<'a> From<&'a [u8]> for Payload<'a> {
    fn from(bytes: &'a [u8]) -> Payload<'a> {
        Payload::in_two(&[], bytes)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Payload<'a> {
    fn from(bytes: &'a [u8; N]) -> Payload<'a> {
        Payload::in_two(&[], bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Payload<'a> {
    fn from(bytes: &'a Vec<u8>) -> Payload<'a> {
        Payload::in_two(&[], bytes)
    }
}

/// Where the bytes of a message being taken go. Called under the queue's lock, with the bytes
/// as they lie in the ring: it must only copy them (no waiting, no call that could jump out of
/// its frame), and it may be called again for another message if the caller's wait goes on.
pub trait Sink {
    fn receive(&mut self, payload: &[u8]);
}

/// Appends the bytes.
impl Sink for Vec<u8> {
    fn receive(&mut self, payload: &[u8]) {
        self.extend_from_slice(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_pieces_are_one_message_of_both_lengths() {
        let payload = Payload::in_two(b"ab", b"cde");
        assert_eq!(payload.len(), 5);
        assert_eq!(payload.parts().concat(), b"abcde");
        assert!(Payload::from(b"").is_empty());
    }
}
