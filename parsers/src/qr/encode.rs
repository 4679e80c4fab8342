//! Builders: Merchant-Presented Mode text from owned objects (lengths counted in characters,
//! order kept, CRC computed), and Consumer-Presented Mode base64 from typed templates.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::cpm::{
    CPM_FORMAT_INDICATOR, TAG_APPLICATION_TEMPLATE, TAG_APPLICATION_TRANSPARENT_TEMPLATE, TAG_COMMON_DATA_TEMPLATE,
    TAG_COMMON_TRANSPARENT_TEMPLATE, TAG_PAYLOAD_FORMAT_INDICATOR,
};
use super::crc::{crc_hex, crc16_ccitt_false};
use super::{MerchantQr, MpmId, MpmObject, QrEncodeError};
use crate::tlv::{Tag, TlvNode, encode_emv_tlv};

/// An owned MPM object, for building payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpmNode {
    /// The ID.
    pub id: MpmId,
    /// A value or a template's children.
    pub content: MpmContent,
}

/// What an [`MpmNode`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MpmContent {
    /// A primitive value.
    Value(String),
    /// A template's children, in order.
    Template(Vec<MpmNode>),
}

impl MpmNode {
    /// A primitive object.
    pub fn value(id: u8, value: impl Into<String>) -> Self {
        MpmNode { id: MpmId(id), content: MpmContent::Value(value.into()) }
    }

    /// A template.
    pub fn template(id: u8, children: Vec<MpmNode>) -> Self {
        MpmNode { id: MpmId(id), content: MpmContent::Template(children) }
    }
}

impl MpmObject<'_> {
    /// The owned form of the object (templates with their children).
    pub fn to_node(&self) -> MpmNode {
        let content = match &self.children {
            Some(children) => MpmContent::Template(children.iter().map(MpmObject::to_node).collect()),
            None => MpmContent::Value(self.value.to_owned()),
        };
        MpmNode { id: self.id, content }
    }
}

impl MerchantQr<'_> {
    /// The owned form of every top-level object (the CRC object included, as written).
    pub fn to_nodes(&self) -> Vec<MpmNode> {
        self.objects.iter().map(MpmObject::to_node).collect()
    }
}

fn write_node(node: &MpmNode, out: &mut String) -> Result<(), QrEncodeError> {
    if node.id.0 > 99 {
        return Err(QrEncodeError::BadId { id: node.id.0 });
    }
    match &node.content {
        MpmContent::Value(v) => write_value(node.id, v, out),
        MpmContent::Template(children) => {
            let mut inner = String::new();
            for c in children {
                write_node(c, &mut inner)?;
            }
            write_value(node.id, &inner, out)
        }
    }
}

fn write_value(id: MpmId, v: &str, out: &mut String) -> Result<(), QrEncodeError> {
    let chars = v.chars().count();
    if chars > 99 {
        return Err(QrEncodeError::ValueTooLong { id: id.0, chars });
    }
    for n in [id.0, chars as u8] {
        out.push(char::from(b'0' + n / 10));
        out.push(char::from(b'0' + n % 10));
    }
    out.push_str(v);
    Ok(())
}

/// Writes objects exactly as given (no CRC added or recomputed): with the nodes of a decoded
/// payload, the text comes back byte for byte.
pub fn encode_qr_mpm_raw(nodes: &[MpmNode]) -> Result<String, QrEncodeError> {
    let mut out = String::new();
    for n in nodes {
        write_node(n, &mut out)?;
    }
    Ok(out)
}

/// Builds a payload: objects in the order given, lengths in characters, then `6304` and the
/// CRC over the UTF-8 bytes. A trailing CRC object in `nodes` is replaced; one elsewhere is an
/// error.
///
/// ```
/// use tapcert_parsers::qr::{encode_qr_mpm, MpmNode};
/// let text = encode_qr_mpm(&[
///     MpmNode::value(0, "01"),
///     MpmNode::template(64, vec![MpmNode::value(0, "ZH"), MpmNode::value(1, "最佳运输")]),
/// ]).unwrap();
/// assert!(text.starts_with("00020164140002ZH0104最佳运输6304"));
/// ```
pub fn encode_qr_mpm(nodes: &[MpmNode]) -> Result<String, QrEncodeError> {
    let body = match nodes.split_last() {
        Some((last, rest)) if last.id == MpmId::CRC => rest,
        _ => nodes,
    };
    if body.iter().any(|n| n.id == MpmId::CRC) {
        return Err(QrEncodeError::CrcNotLast);
    }
    let mut out = encode_qr_mpm_raw(body)?;
    out.push_str("6304");
    let crc = crc16_ccitt_false(out.as_bytes());
    out.push_str(&crc_hex(crc));
    Ok(out)
}

/// A primitive BER-TLV data object of a CPM template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmDataObject {
    /// The tag (primitive).
    pub tag: Tag,
    /// The value bytes.
    pub value: Vec<u8>,
}

impl CpmDataObject {
    /// A data object.
    pub fn new(tag: u32, value: impl Into<Vec<u8>>) -> Self {
        CpmDataObject { tag: Tag(tag), value: value.into() }
    }
}

/// One Application Template (`61`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpmApplication {
    /// `4F` ADF name (AID).
    pub aid: Vec<u8>,
    /// Further data objects in order (`50` label, `57` Track 2, `5A` PAN, `9F25`, ...).
    pub data: Vec<CpmDataObject>,
    /// Content of the Application Specific Transparent Template (`63`: `9F26`, `9F27`,
    /// `9F10`, `9F36`, ...); no `63` is written when empty.
    pub transparent: Vec<CpmDataObject>,
}

/// The Common Data Template (`62`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpmCommonData {
    /// Data objects in order (`5A` PAN, `57`, `5F20` name, `5F2D` language, ...).
    pub data: Vec<CpmDataObject>,
    /// Content of the Common Data Transparent Template (`64`); no `64` is written when empty.
    pub transparent: Vec<CpmDataObject>,
}

/// A Consumer-Presented Mode payload as typed values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CpmPayload {
    /// Application templates, in order.
    pub applications: Vec<CpmApplication>,
    /// The common data template, when there is one.
    pub common: Option<CpmCommonData>,
}

fn template(tag: Tag, content: &[u8], out: &mut Vec<u8>) {
    encode_emv_tlv(tag, content, out);
}

fn objects(items: &[CpmDataObject], out: &mut Vec<u8>) {
    for o in items {
        encode_emv_tlv(o.tag, &o.value, out);
    }
}

/// The BER-TLV bytes of a CPM payload: `85 "CPV01"`, each `61`, then `62` (minimal lengths).
pub fn encode_qr_cpm_bytes(payload: &CpmPayload) -> Vec<u8> {
    let mut out = Vec::new();
    encode_emv_tlv(TAG_PAYLOAD_FORMAT_INDICATOR, CPM_FORMAT_INDICATOR, &mut out);
    for app in &payload.applications {
        let mut inner = Vec::new();
        encode_emv_tlv(Tag(0x4F), &app.aid, &mut inner);
        objects(&app.data, &mut inner);
        if !app.transparent.is_empty() {
            let mut t = Vec::new();
            objects(&app.transparent, &mut t);
            template(TAG_APPLICATION_TRANSPARENT_TEMPLATE, &t, &mut inner);
        }
        template(TAG_APPLICATION_TEMPLATE, &inner, &mut out);
    }
    if let Some(common) = &payload.common {
        let mut inner = Vec::new();
        objects(&common.data, &mut inner);
        if !common.transparent.is_empty() {
            let mut t = Vec::new();
            objects(&common.transparent, &mut t);
            template(TAG_COMMON_TRANSPARENT_TEMPLATE, &t, &mut inner);
        }
        template(TAG_COMMON_DATA_TEMPLATE, &inner, &mut out);
    }
    out
}

/// Builds the QR text of a CPM payload: standard base64 with padding of
/// [`encode_qr_cpm_bytes`]. This is what a CPM token generator calls once it has the
/// cryptogram (`9F26`) and ATC (`9F36`) for the transparent template.
///
/// ```
/// use tapcert_parsers::qr::{encode_qr_cpm, CpmApplication, CpmDataObject, CpmPayload};
/// let payload = CpmPayload {
///     applications: vec![CpmApplication {
///         aid: vec![0xA0, 0, 0, 0, 0x55, 0x55, 0x55],
///         data: vec![CpmDataObject::new(0x50, "Product1")],
///         transparent: vec![],
///     }],
///     common: None,
/// };
/// assert_eq!(encode_qr_cpm(&payload), "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MQ==");
/// ```
pub fn encode_qr_cpm(payload: &CpmPayload) -> String {
    STANDARD.encode(encode_qr_cpm_bytes(payload))
}

fn data_of(node: &TlvNode<'_>, skip: Tag) -> (Vec<CpmDataObject>, Vec<CpmDataObject>, bool) {
    let mut data = Vec::new();
    let mut transparent = Vec::new();
    let mut skipped = false;
    for c in &node.children {
        if c.tlv.tag == skip && !skipped {
            skipped = true;
            continue;
        }
        if c.tlv.tag == TAG_APPLICATION_TRANSPARENT_TEMPLATE || c.tlv.tag == TAG_COMMON_TRANSPARENT_TEMPLATE {
            transparent
                .extend(c.children.iter().map(|t| CpmDataObject { tag: t.tlv.tag, value: t.tlv.value.to_vec() }));
        } else {
            data.push(CpmDataObject { tag: c.tlv.tag, value: c.tlv.value.to_vec() });
        }
    }
    (data, transparent, skipped)
}

impl CpmPayload {
    /// The typed form of a decoded payload: the first `4F` of each `61` becomes its AID, the
    /// content of `63`/`64` its transparent data. Returns `None` when the tree does not have the
    /// shape [`encode_qr_cpm_bytes`] writes (85 first, then 61s, then at most one 62).
    pub fn from_nodes(nodes: &[TlvNode<'_>]) -> Option<CpmPayload> {
        let (first, rest) = nodes.split_first()?;
        if first.tlv.tag != TAG_PAYLOAD_FORMAT_INDICATOR || first.tlv.value != CPM_FORMAT_INDICATOR {
            return None;
        }
        let mut payload = CpmPayload::default();
        for n in rest {
            if payload.common.is_some() {
                return None;
            }
            if n.tlv.tag == TAG_APPLICATION_TEMPLATE {
                let aid = n.children.iter().find(|c| c.tlv.tag == Tag(0x4F))?.tlv.value.to_vec();
                let (data, transparent, _) = data_of(n, Tag(0x4F));
                payload.applications.push(CpmApplication { aid, data, transparent });
            } else if n.tlv.tag == TAG_COMMON_DATA_TEMPLATE {
                let (data, transparent, _) = data_of(n, Tag(0));
                payload.common = Some(CpmCommonData { data, transparent });
            } else {
                return None;
            }
        }
        Some(payload)
    }
}
