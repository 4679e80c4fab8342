//! `tapcert decode tlv`: the BER-TLV tree, in JSON `{"tlv": [NODE...]}`.

use serde_json::{Value, json};
use std::fmt::Write as _;
use tapcert_parsers::tlv::{TlvNode, decode_emv_tlv_padded};

use super::{Decoded, Rejected, hex_upper};

pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, Rejected> {
    let (nodes, trailing_padding) = decode_emv_tlv_padded(bytes).map_err(|e| Rejected::at(e.offset(), e))?;
    let mut human = String::new();
    write_tree(&nodes, 0, &mut human);
    if trailing_padding > 0 {
        let _ = writeln!(human, "({trailing_padding} byte(s) of 00 padding after the last object)");
    }
    let json = json!({ "tlv": nodes.iter().map(node_json).collect::<Vec<_>>() });
    Ok(Decoded { human, json, has_findings: false })
}

/// The JSON shape of one node, shared with every format that embeds BER-TLV.
pub(crate) fn node_json(node: &TlvNode<'_>) -> Value {
    let t = &node.tlv;
    let mut obj = serde_json::Map::new();
    obj.insert("tag".into(), t.tag.to_string().into());
    obj.insert("len".into(), t.length.value.into());
    obj.insert("offset".into(), t.offset.into());
    if t.padding_before > 0 {
        obj.insert("padding".into(), t.padding_before.into());
    }
    if t.is_constructed() {
        obj.insert("children".into(), node.children.iter().map(node_json).collect::<Vec<_>>().into());
    } else {
        obj.insert("value".into(), hex_upper(t.value).into());
    }
    Value::Object(obj)
}

fn write_tree(nodes: &[TlvNode<'_>], depth: usize, out: &mut String) {
    for node in nodes {
        let t = &node.tlv;
        let indent = "  ".repeat(depth);
        if t.is_constructed() {
            let _ = writeln!(out, "{indent}{} [{}]", t.tag, t.length.value);
            write_tree(&node.children, depth + 1, out);
        } else {
            let _ = writeln!(out, "{indent}{} [{}] {}", t.tag, t.length.value, hex_upper(t.value));
        }
    }
}
