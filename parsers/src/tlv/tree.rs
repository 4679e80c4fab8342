//! Whole-input decoding into a tree of zero-copy objects, with a depth limit.

use super::TlvError;
use super::object::{Tlv, TlvIter};

/// Default limit on constructed-object nesting. Real EMV responses nest at most 4-5 deep
/// (6F > A5 > BF0C > 61 > ...); 16 leaves room for proprietary templates.
pub const DEFAULT_MAX_DEPTH: usize = 16;

/// A decoded object and, when its tag is constructed, its decoded children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlvNode<'a> {
    /// The object itself.
    pub tlv: Tlv<'a>,
    /// Children of a constructed object, in wire order, duplicates kept.
    pub children: Vec<TlvNode<'a>>,
    /// `00` padding after the last child inside this object's value.
    pub trailing_padding: usize,
}

impl<'a> TlvNode<'a> {
    /// Depth-first search for the first object with `tag` (this node included).
    pub fn find(&self, tag: super::Tag) -> Option<&TlvNode<'a>> {
        if self.tlv.tag == tag {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(tag))
    }

    /// Appends the node as parsed: lengths in their original form, padding restored.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        if self.children.is_empty() && self.trailing_padding == 0 {
            self.tlv.encode_into(out);
            return;
        }
        out.extend_from_slice(self.tlv.tag.to_bytes().as_ref());
        self.tlv.length.encode_into(out);
        encode_nodes_into(&self.children, self.trailing_padding, out);
    }
}

/// Appends a sequence of nodes and the padding after them.
pub fn encode_nodes_into(nodes: &[TlvNode<'_>], trailing_padding: usize, out: &mut Vec<u8>) {
    for n in nodes {
        out.resize(out.len() + n.tlv.padding_before, 0);
        n.encode_into(out);
    }
    out.resize(out.len() + trailing_padding, 0);
}

/// Decodes a whole input as a sequence of BER-TLV objects, recursing into constructed ones
/// (at most [`DEFAULT_MAX_DEPTH`] deep). `00` padding between objects is accepted and kept in
/// the nodes; anything else that is not a complete object is an error with its offset.
///
/// ```
/// use tapcert_parsers::tlv::{decode_emv_tlv, TlvError};
/// let nodes = decode_emv_tlv(&[0x77, 0x04, 0x9F, 0x36, 0x01, 0x05]).unwrap();
/// assert_eq!(nodes[0].children[0].tlv.value, [0x05]);
/// assert_eq!(decode_emv_tlv(&[0x5A, 0x80]), Err(TlvError::IndefiniteLength { offset: 1 }));
/// ```
pub fn decode_emv_tlv(input: &[u8]) -> Result<Vec<TlvNode<'_>>, TlvError> {
    decode_emv_tlv_with_depth(input, DEFAULT_MAX_DEPTH)
}

/// [`decode_emv_tlv`] with an explicit nesting limit (1 = top level only, nothing nested).
pub fn decode_emv_tlv_with_depth(input: &[u8], max_depth: usize) -> Result<Vec<TlvNode<'_>>, TlvError> {
    let mut it = TlvIter::new(input);
    let nodes = decode_level(&mut it, 1, max_depth)?;
    Ok(nodes)
}

/// Decodes a sequence and returns it with the padding that follows the last object.
pub fn decode_emv_tlv_padded(input: &[u8]) -> Result<(Vec<TlvNode<'_>>, usize), TlvError> {
    let mut it = TlvIter::new(input);
    let nodes = decode_level(&mut it, 1, DEFAULT_MAX_DEPTH)?;
    Ok((nodes, it.trailing_padding()))
}

/// Decodes exactly one object (padding before or after it is not allowed).
///
/// ```
/// use tapcert_parsers::tlv::{decode_emv_tlv_object, TlvError};
/// assert!(decode_emv_tlv_object(&[0x5A, 0x01, 0x12]).is_ok());
/// assert_eq!(decode_emv_tlv_object(&[0x5A, 0x01, 0x12, 0x00]), Err(TlvError::TrailingData { offset: 3 }));
/// ```
pub fn decode_emv_tlv_object(input: &[u8]) -> Result<TlvNode<'_>, TlvError> {
    let (rest, tlv) = super::object::ber_object(input).map_err(|e| TlvError::at_entry(e, input.len()))?;
    if !rest.is_empty() {
        return Err(TlvError::TrailingData { offset: input.len() - rest.len() });
    }
    build_node(tlv, 1, DEFAULT_MAX_DEPTH)
}

fn decode_level<'a>(it: &mut TlvIter<'a>, depth: usize, max_depth: usize) -> Result<Vec<TlvNode<'a>>, TlvError> {
    let mut nodes = Vec::new();
    while let Some(item) = it.next_inline() {
        nodes.push(build_node(item?, depth, max_depth)?);
    }
    Ok(nodes)
}

fn build_node(tlv: Tlv<'_>, depth: usize, max_depth: usize) -> Result<TlvNode<'_>, TlvError> {
    if depth > max_depth {
        return Err(TlvError::DepthLimit { offset: tlv.offset, limit: max_depth });
    }
    if !tlv.is_constructed() {
        return Ok(TlvNode { tlv, children: Vec::new(), trailing_padding: 0 });
    }
    let mut it = tlv.children();
    let children = decode_level(&mut it, depth + 1, max_depth)?;
    Ok(TlvNode { tlv, children, trailing_padding: it.trailing_padding() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::Length;

    #[test]
    fn depth_limit_counts_levels() {
        // 61 { 61 { 61 { } } }
        let bytes = [0x61, 0x04, 0x61, 0x02, 0x61, 0x00];
        assert!(decode_emv_tlv_with_depth(&bytes, 3).is_ok());
        assert_eq!(decode_emv_tlv_with_depth(&bytes, 2), Err(TlvError::DepthLimit { offset: 4, limit: 2 }));
    }

    #[test]
    fn deep_nesting_is_rejected_not_overflowed() {
        // 10,000 siblings are fine; 1,000 levels of 61 { 61 { ... } } hit the limit at level 17.
        let siblings: Vec<u8> = (0..10_000).flat_map(|_| [0x61u8, 0x00]).collect();
        assert_eq!(decode_emv_tlv(&siblings).unwrap().len(), 10_000);
        let mut nested = Vec::new();
        for _ in 0..1_000 {
            let mut outer = vec![0x61];
            Length::minimal(nested.len()).encode_into(&mut outer);
            outer.extend_from_slice(&nested);
            nested = outer;
        }
        let err = decode_emv_tlv(&nested).unwrap_err();
        assert!(matches!(err, TlvError::DepthLimit { limit: DEFAULT_MAX_DEPTH, .. }), "{err:?}");
    }

    #[test]
    fn round_trip_with_padding_and_long_lengths() {
        let bytes = [0x00, 0x70, 0x81, 0x06, 0x00, 0x5A, 0x01, 0x12, 0x00, 0x00, 0x00];
        let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap();
        let mut out = Vec::new();
        encode_nodes_into(&nodes, pad, &mut out);
        assert_eq!(out, bytes);
        assert_eq!(nodes[0].children[0].tlv.padding_before, 1);
        assert_eq!(nodes[0].trailing_padding, 2);
    }
}
