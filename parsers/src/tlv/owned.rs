//! Owned BER-TLV trees for building and encoding (the zero-copy views are for reading).
//!
//! The encoder always writes minimal lengths and no padding, so `decode(encode(x)) == x` for
//! any tree whose tags are well formed, whose constructed tags hold children and whose
//! primitive tags hold bytes (the shape [`TlvOwned::from`] a decoded node always has).
//!
//! ```
//! use tapcert_parsers::tlv::{TlvOwned, Tag, decode_emv_tlv_owned};
//! let gpo = TlvOwned::constructed(Tag(0x77), vec![])
//!     .with_child(TlvOwned::primitive(Tag::AIP, [0x19, 0x80]))
//!     .with_child(TlvOwned::primitive(Tag::AFL, [0x08, 0x01, 0x01, 0x00]));
//! let bytes = gpo.to_bytes();
//! assert_eq!(bytes, [0x77, 0x0A, 0x82, 0x02, 0x19, 0x80, 0x94, 0x04, 0x08, 0x01, 0x01, 0x00]);
//! assert_eq!(decode_emv_tlv_owned(&bytes).unwrap(), vec![gpo]);
//! ```

use super::length::{Length, minimal_length_len};
use super::{Tag, TlvError, TlvNode, decode_emv_tlv};

/// The value of an owned object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TlvValue {
    /// Raw bytes of a primitive object.
    Primitive(Vec<u8>),
    /// Children of a constructed object, in order.
    Constructed(Vec<TlvOwned>),
}

/// An owned BER-TLV object.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TlvOwned {
    /// The tag.
    pub tag: Tag,
    /// Bytes or children.
    pub value: TlvValue,
}

impl TlvOwned {
    /// A primitive object.
    pub fn primitive(tag: Tag, value: impl Into<Vec<u8>>) -> Self {
        TlvOwned { tag, value: TlvValue::Primitive(value.into()) }
    }

    /// A constructed object with the given children.
    pub fn constructed(tag: Tag, children: Vec<TlvOwned>) -> Self {
        TlvOwned { tag, value: TlvValue::Constructed(children) }
    }

    /// Appends a child (builder style). A primitive object becomes constructed, dropping its
    /// bytes: call it on constructed tags.
    pub fn with_child(mut self, child: TlvOwned) -> Self {
        match &mut self.value {
            TlvValue::Constructed(children) => children.push(child),
            TlvValue::Primitive(_) => self.value = TlvValue::Constructed(vec![child]),
        }
        self
    }

    /// The primitive bytes, if primitive.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            TlvValue::Primitive(b) => Some(b),
            TlvValue::Constructed(_) => None,
        }
    }

    /// The children, if constructed.
    pub fn children(&self) -> &[TlvOwned] {
        match &self.value {
            TlvValue::Primitive(_) => &[],
            TlvValue::Constructed(c) => c,
        }
    }

    /// Depth-first search for the first object with `tag` (this one included).
    pub fn find(&self, tag: Tag) -> Option<&TlvOwned> {
        if self.tag == tag {
            return Some(self);
        }
        self.children().iter().find_map(|c| c.find(tag))
    }

    fn value_len(&self) -> usize {
        match &self.value {
            TlvValue::Primitive(b) => b.len(),
            TlvValue::Constructed(c) => c.iter().map(TlvOwned::encoded_len).sum(),
        }
    }

    /// Bytes the object takes when encoded.
    pub fn encoded_len(&self) -> usize {
        let v = self.value_len();
        self.tag.len() + minimal_length_len(v) + v
    }

    /// Appends the object with minimal lengths.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.tag.to_bytes().as_ref());
        Length::minimal(self.value_len()).encode_into(out);
        match &self.value {
            TlvValue::Primitive(b) => out.extend_from_slice(b),
            TlvValue::Constructed(c) => c.iter().for_each(|child| child.encode_into(out)),
        }
    }

    /// The encoded object.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }
}

impl From<&TlvNode<'_>> for TlvOwned {
    fn from(node: &TlvNode<'_>) -> Self {
        if node.tlv.is_constructed() {
            TlvOwned::constructed(node.tlv.tag, node.children.iter().map(TlvOwned::from).collect())
        } else {
            TlvOwned::primitive(node.tlv.tag, node.tlv.value)
        }
    }
}

/// Decodes a sequence of objects into owned trees (padding and length forms are dropped).
pub fn decode_emv_tlv_owned(input: &[u8]) -> Result<Vec<TlvOwned>, TlvError> {
    Ok(decode_emv_tlv(input)?.iter().map(TlvOwned::from).collect())
}

/// Encodes a sequence of owned trees with minimal lengths.
pub fn encode_emv_tlv_owned(nodes: &[TlvOwned]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nodes.iter().map(TlvOwned::encoded_len).sum());
    nodes.iter().for_each(|n| n.encode_into(&mut out));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lengths_and_conversion() {
        let big = TlvOwned::primitive(Tag(0x90), vec![0xAB; 200]);
        let rec = TlvOwned::constructed(Tag(0x70), vec![big.clone()]);
        let bytes = rec.to_bytes();
        assert_eq!(&bytes[..6], [0x70, 0x81, 0xCB, 0x90, 0x81, 0xC8]);
        assert_eq!(bytes.len(), rec.encoded_len());
        let back = decode_emv_tlv_owned(&bytes).unwrap();
        assert_eq!(back, [rec]);
        assert_eq!(back[0].find(Tag(0x90)), Some(&big));
        // Non-minimal input decodes to the same tree and re-encodes minimally.
        let loose = [0x70, 0x82, 0x00, 0x03, 0x5A, 0x01, 0x12];
        let owned = decode_emv_tlv_owned(&loose).unwrap();
        assert_eq!(encode_emv_tlv_owned(&owned), [0x70, 0x03, 0x5A, 0x01, 0x12]);
    }
}
