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
//!
//! The decoded tree is compared with the model side by side ([`first_difference`]): object by
//! object, tag, padding before, length field size, value length, a primitive's value bytes, a
//! constructed object's children and trailing padding. The model encodes itself (its own tag
//! and length fields, not the codec under test) from value lengths it measures once per change,
//! and takes at most [`MAX_NODES`] objects, so one execution costs what the tree's size says.

use std::borrow::Cow;
use std::fmt;

use arbitrary::{Result, Unstructured};
use tapcert_parsers::tlv::{Tag, TlvIter, TlvNode, decode_emv_tlv_padded, encode_nodes_into};

const MAX_DEPTH: usize = 6;
const MAX_CHILDREN: usize = 6;
const MAX_VALUE: usize = 300;
/// Objects in one model: about the largest real response template (a PPSE answer listing
/// four applications, or a full READ RECORD answer, has 20-30). Past it a tree only repeats
/// shapes the decoder has walked, while every object costs the same again in each check:
/// grown corpora (4 KiB inputs) built trees of 250 and ran at half the rate.
const MAX_NODES: usize = 32;
/// Tags seen in contactless flows, so the decoder meets the shapes it will meet in the field.
const EMV_TAGS: &[u32] = &[
    0x4F, 0x50, 0x57, 0x5A, 0x61, 0x6F, 0x70, 0x77, 0x80, 0x82, 0x84, 0x87, 0x88, 0x8C, 0x94, 0x9A, 0x9C, 0xA5, 0x5F20,
    0x5F24, 0x5F2A, 0x5F2D, 0x9F02, 0x9F10, 0x9F26, 0x9F27, 0x9F36, 0x9F37, 0x9F38, 0x9F66, 0x9F6C, 0xBF0C, 0xDF8101,
];

#[derive(Debug, Clone)]
enum Body<'a> {
    /// Borrowed from the fuzzer's bytes; owned only when a constructed object was flipped.
    Primitive(Cow<'a, [u8]>),
    Constructed {
        children: Vec<Node<'a>>,
        trailing_padding: usize,
    },
}

#[derive(Debug, Clone)]
struct Node<'a> {
    tag: Tag,
    /// Length octets asked for (1 = short form when the length allows it), see [`length_field`].
    length_octets: u8,
    padding_before: usize,
    /// Bytes of the value on the wire, kept up to date by [`measure`] after every model change,
    /// so that encoding and comparing walk the tree once instead of re-encoding each subtree
    /// at every level above it.
    value_len: usize,
    /// The length field for `value_len` and `length_octets`, kept with them by [`measure`].
    length: Field,
    body: Body<'a>,
}

/// A tag or length field, built by the model itself (not by the codec under test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    bytes: [u8; 5],
    len: usize,
}

impl Field {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A tag's wire bytes: its number big-endian without leading zero bytes (EMV Book 3 Annex B1).
fn tag_field(tag: u32) -> Field {
    let len = (4 - tag.leading_zeros() as usize / 8).max(1);
    let mut bytes = [0; 5];
    bytes[..len].copy_from_slice(&tag.to_be_bytes()[4 - len..]);
    Field { bytes, len }
}

/// A length field (EMV Book 3 Annex B2, X.690 §8.1.3): short form when one octet is asked for
/// and the value is under 128, otherwise long form `80|n` with `octets - 1` subsequent octets,
/// raised to the fewest the value needs and at most 4.
fn length_field(value: usize, octets: u8) -> Field {
    let mut bytes = [0; 5];
    if octets <= 1 && value < 0x80 {
        bytes[0] = value as u8;
        return Field { bytes, len: 1 };
    }
    let value = u32::try_from(value).expect("model values are bounded by the input, far under 4 GiB");
    let needed = (4 - value.leading_zeros() as usize / 8).max(1);
    let subsequent = usize::from(octets.saturating_sub(1)).clamp(needed, 4);
    bytes[0] = 0x80 | subsequent as u8;
    bytes[1..=subsequent].copy_from_slice(&value.to_be_bytes()[4 - subsequent..]);
    Field { bytes, len: 1 + subsequent }
}

impl Node<'_> {
    /// Bytes the object takes on the wire, padding before it included.
    fn encoded_len(&self) -> usize {
        self.padding_before + tag_field(self.tag.0).len + self.length.len + self.value_len
    }

    /// Recomputes `value_len` bottom-up; returns [`Node::encoded_len`].
    fn measure(&mut self) -> usize {
        self.value_len = match &mut self.body {
            Body::Primitive(v) => v.len(),
            Body::Constructed { children, trailing_padding } => measure(children) + *trailing_padding,
        };
        self.length = length_field(self.value_len, self.length_octets);
        self.encoded_len()
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.resize(out.len() + self.padding_before, 0);
        out.extend_from_slice(tag_field(self.tag.0).as_slice());
        out.extend_from_slice(self.length.as_slice());
        match &self.body {
            Body::Primitive(v) => out.extend_from_slice(v),
            Body::Constructed { children, trailing_padding } => encode_model_into(children, *trailing_padding, out),
        }
    }
}

/// Brings every `value_len` of the sequence up to date; returns the bytes it encodes to.
fn measure(nodes: &mut [Node<'_>]) -> usize {
    nodes.iter_mut().map(Node::measure).sum()
}

fn encode_model_into(nodes: &[Node<'_>], trailing_padding: usize, out: &mut Vec<u8>) {
    nodes.iter().for_each(|n| n.encode_into(out));
    out.resize(out.len() + trailing_padding, 0);
}

/// Where a decoded tree first departs from its model: child indexes from the top level down,
/// and what differs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Difference {
    path: Vec<usize>,
    what: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {:?}: {}", self.path, self.what)
    }
}

/// Walks the model and the decoded tree side by side (no summary is built, nothing allocated
/// unless they differ): the same objects in the same order, each with the model's tag, padding
/// before it, length field size and value length; a primitive with the model's value bytes and
/// no children; a constructed object with the model's children and trailing padding.
fn first_difference(model: &[Node<'_>], decoded: &[TlvNode<'_>]) -> Option<Difference> {
    if model.len() != decoded.len() {
        let what = format!("{} objects decoded, the model has {}", decoded.len(), model.len());
        return Some(Difference { path: Vec::new(), what });
    }
    for (i, (m, d)) in model.iter().zip(decoded).enumerate() {
        if let Some(mut diff) = node_difference(m, d) {
            diff.path.insert(0, i);
            return Some(diff);
        }
    }
    None
}

fn node_difference(m: &Node<'_>, d: &TlvNode<'_>) -> Option<Difference> {
    let t = &d.tlv;
    let differs = |what: String| Some(Difference { path: Vec::new(), what });
    if t.tag != m.tag {
        return differs(format!("tag {} decoded, the model has {}", t.tag, m.tag));
    }
    if t.padding_before != m.padding_before {
        return differs(format!("{} padding bytes before, the model has {}", t.padding_before, m.padding_before));
    }
    let length_octets = m.length.len;
    if usize::from(t.length.encoded_len) != length_octets {
        return differs(format!("{} length octets decoded, the model has {length_octets}", t.length.encoded_len));
    }
    if t.length.value != m.value_len || t.value.len() != m.value_len {
        let (declared, value) = (t.length.value, t.value.len());
        return differs(format!("length {declared} with {value} value bytes decoded, the model has {}", m.value_len));
    }
    match &m.body {
        Body::Primitive(v) => {
            if !d.children.is_empty() || d.trailing_padding != 0 {
                return differs(format!("{} children decoded in a primitive object", d.children.len()));
            }
            if t.value != v.as_ref() {
                return differs("value bytes differ from the model's".to_owned());
            }
            None
        }
        Body::Constructed { children, trailing_padding } => {
            if let Some(diff) = first_difference(children, &d.children) {
                return Some(diff);
            }
            if d.trailing_padding != *trailing_padding {
                let got = d.trailing_padding;
                return differs(format!("{got} padding bytes after the children, the model has {trailing_padding}"));
            }
            None
        }
    }
}

/// A well-formed tag with the constructed bit as asked, never starting with `00` (padding).
fn arbitrary_tag(u: &mut Unstructured<'_>, constructed: bool) -> Result<Tag> {
    let set = |t: u32| {
        let first_shift = 8 * (tag_field(t).len - 1);
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
    // value needs more, by length_field).
    Ok(if u.ratio(3, 4)? { 1 } else { u.int_in_range(2u8..=5)? })
}

/// One object and its subtree, taking at most `budget` objects (at least 1) from it.
fn arbitrary_node<'a>(u: &mut Unstructured<'a>, depth: usize, budget: &mut usize) -> Result<Node<'a>> {
    *budget = budget.saturating_sub(1);
    let constructed = depth < MAX_DEPTH && u.ratio(1, 3)?;
    let tag = arbitrary_tag(u, constructed)?;
    let length_octets = arbitrary_length_octets(u)?;
    let padding_before = if u.ratio(1, 8)? { u.int_in_range(1usize..=3)? } else { 0 };
    let (body, value_len) = if constructed {
        let n = u.int_in_range(0..=MAX_CHILDREN)?.min(*budget);
        let mut children = Vec::with_capacity(n);
        while children.len() < n && *budget > 0 {
            children.push(arbitrary_node(u, depth + 1, budget)?);
        }
        let trailing_padding = if u.ratio(1, 8)? { u.int_in_range(1usize..=2)? } else { 0 };
        let value_len = children.iter().map(Node::encoded_len).sum::<usize>() + trailing_padding;
        (Body::Constructed { children, trailing_padding }, value_len)
    } else {
        let n = u.int_in_range(0..=MAX_VALUE)?;
        let value = u.bytes(n.min(u.len()))?;
        (Body::Primitive(Cow::Borrowed(value)), value.len())
    };
    let length = length_field(value_len, length_octets);
    Ok(Node { tag, length_octets, padding_before, value_len, length, body })
}

/// A model mutation that keeps the bytes valid and the model exact. The caller re-measures.
fn mutate_model(u: &mut Unstructured<'_>, nodes: &mut [Node<'_>]) -> Result<()> {
    let Some(node) = pick_node(u, nodes)? else { return Ok(()) };
    match u.int_in_range(0u8..=3)? {
        0 => node.tag = arbitrary_tag(u, node.tag.is_constructed())?,
        1 => node.length_octets = arbitrary_length_octets(u)?,
        2 => {
            if let Body::Constructed { children, trailing_padding } = &node.body {
                // The subtree is measured (the caller re-measures after every mutation).
                let mut value = Vec::with_capacity(node.value_len);
                encode_model_into(children, *trailing_padding, &mut value);
                node.tag = Tag(flip_constructed(node.tag.0));
                node.body = Body::Primitive(Cow::Owned(value));
            }
        }
        _ => node.padding_before = u.int_in_range(0usize..=3)?,
    }
    Ok(())
}

/// A node anywhere in the tree: an index at each level, going down into a non-empty
/// constructed object half the time.
fn pick_node<'n, 'a>(u: &mut Unstructured<'_>, level: &'n mut [Node<'a>]) -> Result<Option<&'n mut Node<'a>>> {
    if level.is_empty() {
        return Ok(None);
    }
    let i = u.choose_index(level.len())?;
    let descend = match &level[i].body {
        Body::Constructed { children, .. } => !children.is_empty() && u.ratio(1, 2)?,
        Body::Primitive(_) => false,
    };
    if !descend {
        return Ok(Some(&mut level[i]));
    }
    match &mut level[i].body {
        Body::Constructed { children, .. } => pick_node(u, children),
        Body::Primitive(_) => Ok(None),
    }
}

fn flip_constructed(t: u32) -> u32 {
    let shift = 8 * (tag_field(t).len - 1);
    t ^ (0x20 << shift)
}

/// Where each object sits in the encoding: (tag offset, length offset, end), into `out`
/// (cleared first, so that one buffer serves every mutation of a run).
fn layout_into(bytes: &[u8], out: &mut Vec<(usize, usize, usize)>) {
    fn walk(iter: TlvIter<'_>, out: &mut Vec<(usize, usize, usize)>, depth: usize) {
        for tlv in iter.flatten() {
            out.push((tlv.offset, tlv.offset + tlv.tag.len(), tlv.value_offset() + tlv.value.len()));
            if tlv.is_constructed() && depth < MAX_DEPTH {
                walk(tlv.children(), out, depth + 1);
            }
        }
    }
    out.clear();
    walk(TlvIter::new(bytes), out, 0);
}

/// [`layout_into`] of the model's valid encoding, known without walking it: objects in
/// pre-order from `at`; returns the end of the sequence.
fn model_layout(nodes: &[Node<'_>], mut at: usize, out: &mut Vec<(usize, usize, usize)>) -> usize {
    for n in nodes {
        at += n.padding_before;
        let len_at = at + tag_field(n.tag.0).len;
        let value_at = len_at + n.length.len;
        out.push((at, len_at, value_at + n.value_len));
        if let Body::Constructed { children, .. } = &n.body {
            model_layout(children, value_at, out);
        }
        at = value_at + n.value_len;
    }
    at
}

/// A byte mutation that may break the encoding, at one of `objects` (the layout of `bytes`).
fn mutate_bytes(u: &mut Unstructured<'_>, bytes: &mut Vec<u8>, objects: &[(usize, usize, usize)]) -> Result<()> {
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
        4 => duplicate(bytes, tag_at, end),
        _ => {
            // Indefinite or over-long length form.
            bytes[len_at] = *u.choose(&[0x80, 0x85, 0xFF])?;
        }
    }
    Ok(())
}

/// Inserts `bytes[start..end]` again right after itself, without a temporary copy.
fn duplicate(bytes: &mut Vec<u8>, start: usize, end: usize) {
    bytes.extend_from_within(start..end);
    bytes[end..].rotate_right(end - start);
}

/// `tlv_structured`.
pub fn fuzz_tlv_structured(data: &[u8]) {
    let _ = run(data);
}

/// The model (1-6 top-level objects, 0-3 model mutations), its trailing padding and its
/// encoding.
fn arbitrary_model<'a>(u: &mut Unstructured<'a>) -> Result<(Vec<Node<'a>>, usize, Vec<u8>)> {
    let count = u.int_in_range(1..=MAX_CHILDREN)?;
    let mut model = Vec::with_capacity(count);
    let mut budget = MAX_NODES;
    while model.len() < count && budget > 0 {
        model.push(arbitrary_node(u, 1, &mut budget)?);
    }
    let mut size = model.iter().map(Node::encoded_len).sum::<usize>();
    for _ in 0..u.int_in_range(0u8..=3)? {
        mutate_model(u, &mut model)?;
        size = measure(&mut model);
    }
    let trailing = if u.ratio(1, 8)? { u.int_in_range(1usize..=2)? } else { 0 };
    let mut bytes = Vec::with_capacity(size + trailing);
    encode_model_into(&model, trailing, &mut bytes);
    debug_assert_eq!(bytes.len(), size + trailing, "the model measured itself wrong");
    Ok((model, trailing, bytes))
}

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let (model, trailing, bytes) = arbitrary_model(&mut u)?;

    // Valid input: the decoder finds exactly the model and re-encodes byte for byte.
    let (nodes, pad) = decode_emv_tlv_padded(&bytes).unwrap_or_else(|e| panic!("valid encoding rejected: {e}"));
    if let Some(diff) = first_difference(&model, &nodes) {
        panic!("decoded tree differs from the model {diff}");
    }
    assert_eq!(pad, trailing);
    let mut again = Vec::with_capacity(bytes.len());
    encode_nodes_into(&nodes, pad, &mut again);
    assert_eq!(again, bytes, "re-encoding differs");
    drop(nodes);

    // Possibly broken input: Ok or a typed error inside the input; what is accepted re-encodes.
    let mut broken = bytes;
    let mut objects = Vec::with_capacity(MAX_NODES);
    model_layout(&model, 0, &mut objects);
    for i in 0..u.int_in_range(1u8..=3)? {
        if i > 0 {
            layout_into(&broken, &mut objects);
        }
        mutate_bytes(&mut u, &mut broken, &objects)?;
    }
    match decode_emv_tlv_padded(&broken) {
        Ok((nodes, pad)) => {
            again.clear();
            encode_nodes_into(&nodes, pad, &mut again);
            assert_eq!(again, broken, "accepted input does not re-encode byte for byte");
        }
        Err(e) => assert!(e.offset() <= broken.len(), "error offset {} past the input ({})", e.offset(), broken.len()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use tapcert_parsers::tlv::{Length, Tlv};

    use super::*;

    const UNMEASURED: Field = Field { bytes: [0; 5], len: 0 };

    fn primitive(tag: u32, length_octets: u8, padding_before: usize, value: &[u8]) -> Node<'_> {
        let body = Body::Primitive(Cow::Borrowed(value));
        Node { tag: Tag(tag), length_octets, padding_before, value_len: 0, length: UNMEASURED, body }
    }

    /// `70 { 5A(long form) 12 34, 00, 9F36 00 05, 00 00 }` and a trailing `00`.
    fn sample() -> (Vec<Node<'static>>, usize) {
        let children = vec![primitive(0x5A, 2, 0, &[0x12, 0x34]), primitive(0x9F36, 1, 1, &[0x00, 0x05])];
        let record = Body::Constructed { children, trailing_padding: 2 };
        let mut model = vec![Node {
            tag: Tag(0x70),
            length_octets: 1,
            padding_before: 0,
            value_len: 0,
            length: UNMEASURED,
            body: record,
        }];
        measure(&mut model);
        (model, 1)
    }

    static SAMPLE: [u8; 16] =
        [0x70, 0x0D, 0x5A, 0x81, 0x02, 0x12, 0x34, 0x00, 0x9F, 0x36, 0x02, 0x00, 0x05, 0x00, 0x00, 0x00];

    fn encode(model: &[Node<'_>], trailing: usize) -> Vec<u8> {
        let mut out = Vec::new();
        encode_model_into(model, trailing, &mut out);
        out
    }

    #[test]
    fn the_model_writes_its_own_tag_and_length_fields() {
        assert_eq!(tag_field(0x5A).as_slice(), [0x5A]);
        assert_eq!(tag_field(0x9F02).as_slice(), [0x9F, 0x02]);
        assert_eq!(tag_field(0xDF8101).as_slice(), [0xDF, 0x81, 0x01]);
        assert_eq!(length_field(0x7F, 1).as_slice(), [0x7F]);
        assert_eq!(length_field(5, 2).as_slice(), [0x81, 0x05]);
        assert_eq!(length_field(5, 5).as_slice(), [0x84, 0, 0, 0, 0x05]);
        // short form asked for, but 128 needs the long form; 2 octets asked, 256 needs 3
        assert_eq!(length_field(0x80, 1).as_slice(), [0x81, 0x80]);
        assert_eq!(length_field(0x100, 2).as_slice(), [0x82, 0x01, 0x00]);
    }

    #[test]
    fn the_measured_model_encodes_and_decodes_to_itself() {
        let (model, trailing) = sample();
        assert_eq!(model[0].value_len, 13);
        assert_eq!(model[0].encoded_len(), 15);
        let bytes = encode(&model, trailing);
        assert_eq!(bytes, SAMPLE);
        let (nodes, pad) = decode_emv_tlv_padded(&bytes).expect("valid");
        assert_eq!(first_difference(&model, &nodes), None);
        assert_eq!(pad, trailing);
    }

    type Tamper = fn(&mut Vec<TlvNode<'static>>);

    /// The comparison that replaced the string summaries still catches each kind of wrong
    /// decode: SAMPLE's decoded tree with one property changed, as a decoder bug would change
    /// it, must differ from the model at that object and say what differs.
    #[test]
    fn first_difference_names_the_object_and_the_property_that_differ() {
        let (model, _) = sample();
        let cases: &[(Tamper, &[usize], &str)] = &[
            (|n| n[0].children[0].tlv.tag = Tag(0x57), &[0, 0], "tag 57 decoded, the model has 5A"),
            (|n| n[0].children[1].tlv.padding_before = 0, &[0, 1], "0 padding bytes before, the model has 1"),
            (|n| n[0].children[0].tlv.length.encoded_len = 1, &[0, 0], "1 length octets decoded, the model has 2"),
            (|n| n[0].children[1].tlv.length.value = 1, &[0, 1], "length 1 with 2 value bytes decoded"),
            (|n| n[0].children[1].tlv.value = &SAMPLE[12..13], &[0, 1], "length 2 with 1 value bytes decoded"),
            // same length, other bytes: the summaries this replaced did not look at values
            (|n| n[0].children[0].tlv.value = &SAMPLE[4..6], &[0, 0], "value bytes differ"),
            (|n| n[0].trailing_padding = 1, &[0], "1 padding bytes after the children, the model has 2"),
            (|n| drop(n[0].children.pop()), &[0], "1 objects decoded, the model has 2"),
            (|n| n.push(n[0].clone()), &[], "2 objects decoded, the model has 1"),
            (|n| n[0].tlv.tag = Tag(0x77), &[0], "tag 77"),
            (
                |n| {
                    let length = Length { value: 0, encoded_len: 1 };
                    let tlv = Tlv { tag: Tag(0x5A), length, value: &[], offset: 5, padding_before: 0 };
                    n[0].children[0].children.push(TlvNode { tlv, children: Vec::new(), trailing_padding: 0 });
                },
                &[0, 0],
                "1 children decoded in a primitive object",
            ),
        ];
        for (tamper, path, what) in cases {
            let (mut nodes, _) = decode_emv_tlv_padded(&SAMPLE).expect("valid");
            tamper(&mut nodes);
            let diff = first_difference(&model, &nodes).unwrap_or_else(|| panic!("{what}: passed as the model"));
            assert_eq!(diff.path, *path, "{diff}");
            assert!(diff.what.contains(what), "{diff} should say {what}");
        }
        // and from real bytes: 9F36's value one byte shorter, 70's length following it
        let shorter = [0x70, 0x0C, 0x5A, 0x81, 0x02, 0x12, 0x34, 0x00, 0x9F, 0x36, 0x01, 0x05, 0x00, 0x00];
        let (nodes, _) = decode_emv_tlv_padded(&shorter).expect("valid");
        let diff = first_difference(&model, &nodes).expect("a shorter value");
        assert_eq!(diff.to_string(), "at [0]: length 12 with 12 value bytes decoded, the model has 13");
    }

    #[test]
    fn flipping_a_constructed_object_keeps_its_encoding_as_the_value() {
        let (mut model, trailing) = sample();
        let before = encode(&model, trailing);
        let Body::Constructed { children, trailing_padding } = &model[0].body else { unreachable!() };
        let mut value = Vec::new();
        encode_model_into(children, *trailing_padding, &mut value);
        model[0].tag = Tag(flip_constructed(0x70));
        model[0].body = Body::Primitive(Cow::Owned(value));
        measure(&mut model);
        let after = encode(&model, trailing);
        assert_eq!(after[0], 0x50);
        assert_eq!(after[1..], before[1..]);
        let (nodes, _) = decode_emv_tlv_padded(&after).expect("valid");
        assert_eq!(first_difference(&model, &nodes), None);
    }

    #[test]
    fn duplicate_inserts_the_object_after_itself() {
        let mut bytes = vec![0x00, 0x5A, 0x01, 0x12, 0x9F, 0x36, 0x00];
        duplicate(&mut bytes, 1, 4);
        assert_eq!(bytes, [0x00, 0x5A, 0x01, 0x12, 0x5A, 0x01, 0x12, 0x9F, 0x36, 0x00]);
    }

    /// The target over many generated inputs: a false difference (the comparison stricter than
    /// the decoder's contract) or a wrong model encoding would panic here.
    #[test]
    fn the_target_holds_on_generated_inputs() {
        use proptest::prelude::RngCore as _;
        // proptest's seeded generator: the same 2,000 inputs on every run.
        let mut rng = proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha);
        for i in 0..2_000 {
            let mut input = vec![0; 1 + (rng.next_u64() % 1_024) as usize];
            rng.fill_bytes(&mut input);
            // run, not fuzz_tlv_structured: running out of bytes must end the model, not the run
            run(&input).unwrap_or_else(|e| panic!("input {i}: {e}"));
            // the first byte mutation takes its layout from the model instead of a walk
            let (model, _, bytes) = arbitrary_model(&mut Unstructured::new(&input)).expect("a model");
            let (mut from_model, mut walked) = (Vec::new(), Vec::new());
            model_layout(&model, 0, &mut from_model);
            layout_into(&bytes, &mut walked);
            assert_eq!(from_model, walked, "input {i}");
        }
        for pattern in [(0..64).collect::<Vec<u8>>(), vec![0; 64], vec![0xFF; 64]] {
            fuzz_tlv_structured(&pattern);
        }
    }
}
