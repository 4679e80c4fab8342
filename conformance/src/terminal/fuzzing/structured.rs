//! `tlv_structured`: builds a valid BER-TLV tree from the fuzzer's bytes, encodes it, applies
//! TLV-aware mutations, and checks the core decoder against what the model says.
//!
//! Mutations on the model keep the bytes valid and the model exact (the decoder must accept
//! them and find the same tree): change a tag (same constructed bit), change the length
//! encoding (short, long, non-minimal with up to 4 subsequent octets), flip a constructed
//! object to primitive (its children become an opaque value), add `00` padding. Mutations on
//! the bytes may break them (flip a primitive to constructed, change a tag's first byte, move
//! a length by one, truncate, duplicate an object): then the decoder must answer `Ok` or `Err`
//! with an offset inside the input, and whatever it accepts must re-encode byte for byte.

use arbitrary::{Result, Unstructured};
use tapcert_parsers::tlv::{Length, Tag, TlvIter, TlvNode, decode_emv_tlv_padded, encode_nodes_into};

const MAX_DEPTH: usize = 6;
const MAX_CHILDREN: usize = 6;
const MAX_VALUE: usize = 300;
/// Tags seen in contactless flows, so the decoder meets the shapes it will meet in the field.
const EMV_TAGS: &[u32] = &[
    0x4F, 0x50, 0x57, 0x5A, 0x61, 0x6F, 0x70, 0x77, 0x80, 0x82, 0x84, 0x87, 0x88, 0x8C, 0x94, 0x9A, 0x9C, 0xA5, 0x5F20,
    0x5F24, 0x5F2A, 0x5F2D, 0x9F02, 0x9F10, 0x9F26, 0x9F27, 0x9F36, 0x9F37, 0x9F38, 0x9F66, 0x9F6C, 0xBF0C, 0xDF8101,
];

#[derive(Debug, Clone)]
enum Body {
    Primitive(Vec<u8>),
    Constructed { children: Vec<Node>, trailing_padding: usize },
}

#[derive(Debug, Clone)]
struct Node {
    tag: Tag,
    /// Length octets on the wire (1 = short form when the length allows it).
    length_octets: u8,
    padding_before: usize,
    body: Body,
}

impl Node {
    fn value(&self) -> Vec<u8> {
        match &self.body {
            Body::Primitive(v) => v.clone(),
            Body::Constructed { children, trailing_padding } => encode_model(children, *trailing_padding),
        }
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.resize(out.len() + self.padding_before, 0);
        out.extend_from_slice(self.tag.to_bytes().as_ref());
        let value = self.value();
        Length { value: value.len(), encoded_len: self.length_octets }.encode_into(out);
        out.extend_from_slice(&value);
    }

    /// Pre-order `(depth, tag, value length, length octets, padding)` of the tree.
    fn summary(&self, depth: usize, out: &mut Vec<(usize, Tag, usize, u8, usize)>) {
        let value = self.value();
        let mut l = Vec::new();
        Length { value: value.len(), encoded_len: self.length_octets }.encode_into(&mut l);
        out.push((depth, self.tag, value.len(), l.len() as u8, self.padding_before));
        if let Body::Constructed { children, .. } = &self.body {
            children.iter().for_each(|c| c.summary(depth + 1, out));
        }
    }
}

fn encode_model(nodes: &[Node], trailing_padding: usize) -> Vec<u8> {
    let mut out = Vec::new();
    nodes.iter().for_each(|n| n.encode_into(&mut out));
    out.resize(out.len() + trailing_padding, 0);
    out
}

fn decoded_summary(nodes: &[TlvNode<'_>], depth: usize, out: &mut Vec<(usize, Tag, usize, u8, usize)>) {
    for n in nodes {
        out.push((depth, n.tlv.tag, n.tlv.value.len(), n.tlv.length.encoded_len, n.tlv.padding_before));
        decoded_summary(&n.children, depth + 1, out);
    }
}

/// A well-formed tag with the constructed bit as asked, never starting with `00` (padding).
fn arbitrary_tag(u: &mut Unstructured<'_>, constructed: bool) -> Result<Tag> {
    let set = |t: u32| {
        let first_shift = 8 * (Tag(t).len() - 1);
        let first = (t >> first_shift) & 0xFF;
        let first = if constructed { first | 0x20 } else { first & !0x20 };
        (t & !(0xFF << first_shift)) | (first << first_shift)
    };
    let tag = if u.ratio(2, 3)? {
        set(*u.choose(EMV_TAGS)?)
    } else {
        let class = u32::from(u.int_in_range(0u8..=3)?) << 6;
        if u.ratio(1, 2)? {
            // Single byte: number 0-30 (31 announces more bytes); 0 with class 0 would be padding.
            let number = u32::from(u.int_in_range(1u8..=30)?);
            set(class | number)
        } else {
            let subsequent = u.int_in_range(1usize..=2)?;
            let mut t = class | 0x1F;
            for i in 0..subsequent {
                let b = u32::from(u.arbitrary::<u8>()? & 0x7F);
                t = (t << 8) | if i + 1 < subsequent { b | 0x80 } else { b };
            }
            set(t)
        }
    };
    Ok(Tag(tag))
}

fn arbitrary_length_octets(u: &mut Unstructured<'_>) -> Result<u8> {
    // 1 = minimal/short; 2-5 = long form with 1-4 subsequent octets (clamped up when the
    // value needs more, by Length::encode_into).
    Ok(if u.ratio(3, 4)? { 1 } else { u.int_in_range(2u8..=5)? })
}

fn arbitrary_node(u: &mut Unstructured<'_>, depth: usize) -> Result<Node> {
    let constructed = depth < MAX_DEPTH && u.ratio(1, 3)?;
    let tag = arbitrary_tag(u, constructed)?;
    let length_octets = arbitrary_length_octets(u)?;
    let padding_before = if u.ratio(1, 8)? { u.int_in_range(1usize..=3)? } else { 0 };
    let body = if constructed {
        let n = u.int_in_range(0..=MAX_CHILDREN)?;
        let mut children = Vec::with_capacity(n);
        for _ in 0..n {
            children.push(arbitrary_node(u, depth + 1)?);
        }
        let trailing_padding = if u.ratio(1, 8)? { u.int_in_range(1usize..=2)? } else { 0 };
        Body::Constructed { children, trailing_padding }
    } else {
        let n = u.int_in_range(0..=MAX_VALUE)?;
        Body::Primitive(u.bytes(n.min(u.len()))?.to_vec())
    };
    Ok(Node { tag, length_octets, padding_before, body })
}

/// A model mutation that keeps the bytes valid and the model exact.
fn mutate_model(u: &mut Unstructured<'_>, nodes: &mut [Node]) -> Result<()> {
    let path = pick_path(u, nodes)?;
    let Some(node) = node_at(nodes, &path) else { return Ok(()) };
    match u.int_in_range(0u8..=3)? {
        0 => node.tag = arbitrary_tag(u, node.tag.is_constructed())?,
        1 => node.length_octets = arbitrary_length_octets(u)?,
        2 => {
            if let Body::Constructed { .. } = node.body {
                let value = node.value();
                node.tag = Tag(flip_constructed(node.tag.0));
                node.body = Body::Primitive(value);
            }
        }
        _ => node.padding_before = u.int_in_range(0usize..=3)?,
    }
    Ok(())
}

fn pick_path(u: &mut Unstructured<'_>, nodes: &[Node]) -> Result<Vec<usize>> {
    let mut path = Vec::new();
    let mut level = nodes;
    while !level.is_empty() {
        let i = u.choose_index(level.len())?;
        path.push(i);
        match &level[i].body {
            Body::Constructed { children, .. } if !children.is_empty() && u.ratio(1, 2)? => level = children,
            _ => break,
        }
    }
    Ok(path)
}

fn node_at<'n>(nodes: &'n mut [Node], path: &[usize]) -> Option<&'n mut Node> {
    let (first, rest) = path.split_first()?;
    let node = nodes.get_mut(*first)?;
    if rest.is_empty() {
        return Some(node);
    }
    match &mut node.body {
        Body::Constructed { children, .. } => node_at(children, rest),
        Body::Primitive(_) => None,
    }
}

fn flip_constructed(t: u32) -> u32 {
    let shift = 8 * (Tag(t).len() - 1);
    t ^ (0x20 << shift)
}

/// Where each object sits in the encoding: (tag offset, length offset, end).
fn layout(bytes: &[u8]) -> Vec<(usize, usize, usize)> {
    fn walk(iter: TlvIter<'_>, out: &mut Vec<(usize, usize, usize)>, depth: usize) {
        for tlv in iter.flatten() {
            out.push((tlv.offset, tlv.offset + tlv.tag.len(), tlv.value_offset() + tlv.value.len()));
            if tlv.is_constructed() && depth < MAX_DEPTH {
                walk(tlv.children(), out, depth + 1);
            }
        }
    }
    let mut out = Vec::new();
    walk(TlvIter::new(bytes), &mut out, 0);
    out
}

/// A byte mutation that may break the encoding.
fn mutate_bytes(u: &mut Unstructured<'_>, bytes: &mut Vec<u8>) -> Result<()> {
    let objects = layout(bytes);
    if objects.is_empty() {
        return Ok(());
    }
    let (tag_at, len_at, end) = objects[u.choose_index(objects.len())?];
    match u.int_in_range(0u8..=5)? {
        0 => bytes[tag_at] ^= 0x20,
        1 => bytes[tag_at] = u.arbitrary()?,
        2 => {
            // Declared length one more or one less than the value (short form only).
            if bytes[len_at] < 0x80 {
                bytes[len_at] = if u.ratio(1, 2)? {
                    bytes[len_at].wrapping_add(1) & 0x7F
                } else {
                    bytes[len_at].wrapping_sub(1) & 0x7F
                };
            }
        }
        3 => {
            let cut = u.int_in_range(0..=bytes.len())?;
            bytes.truncate(cut);
        }
        4 => {
            let object = bytes[tag_at..end].to_vec();
            bytes.splice(end..end, object);
        }
        _ => {
            // Indefinite or over-long length form.
            bytes[len_at] = *u.choose(&[0x80, 0x85, 0xFF])?;
        }
    }
    Ok(())
}

/// `tlv_structured`.
pub fn fuzz_tlv_structured(data: &[u8]) {
    let _ = run(data);
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let count = u.int_in_range(1..=MAX_CHILDREN)?;
    let mut model = Vec::with_capacity(count);
    for _ in 0..count {
        model.push(arbitrary_node(&mut u, 1)?);
    }
    for _ in 0..u.int_in_range(0u8..=3)? {
        mutate_model(&mut u, &mut model)?;
    }
    let trailing = if u.ratio(1, 8)? { u.int_in_range(1usize..=2)? } else { 0 };
    let bytes = encode_model(&model, trailing);

    // Valid input: the decoder finds exactly the model and re-encodes byte for byte.
    let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap_or_else(|e| panic!("valid encoding rejected: {e}"));
    let (mut want, mut got) = (Vec::new(), Vec::new());
    model.iter().for_each(|n| n.summary(1, &mut want));
    decoded_summary(&nodes, 1, &mut got);
    assert_eq!(got, want, "decoded tree differs from the model");
    assert_eq!(pad, trailing);
    let mut again = Vec::new();
    encode_nodes_into(&nodes, pad, &mut again);
    assert_eq!(again, bytes, "re-encoding differs");

    // Possibly broken input: Ok or a typed error inside the input; what is accepted re-encodes.
    let mut broken = bytes;
    for _ in 0..u.int_in_range(1u8..=3)? {
        mutate_bytes(&mut u, &mut broken)?;
    }
    match decode_emv_tlv_padded(&broken) {
        Ok((nodes, pad)) => {
            let mut again = Vec::new();
            encode_nodes_into(&nodes, pad, &mut again);
            assert_eq!(again, broken, "accepted input does not re-encode byte for byte");
        }
        Err(e) => assert!(e.offset() <= broken.len(), "error offset {} past the input ({})", e.offset(), broken.len()),
    }
    Ok(())
}
