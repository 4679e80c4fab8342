//! Named differences from a base image, the way EMVCo bulletins define test cards.
//!
//! A path names an answer of the card, then optionally TLV objects inside it by tag:
//!
//! ```text
//! [app/AID/]  ppse | fci | gpo | generate_ac | record/SFI/N | get_data/TAG   [/TAG ...]
//!             atr                                       (set only)
//! app/AID                                               (remove only)
//! ```
//!
//! Without `app/AID/` the first application is meant. The response template (`6F`, `70`,
//! `77`) is implicit: `gpo/94` is the AFL inside `77`, `record/1/2/8C` the CDOL1 inside `70`
//! (`gpo/77/94` works too). Under `generate_ac`, `9F27` is the CID, `9F36` the ATC, `9F10` the
//! IAD and `9F26` a fixed cryptogram; other tags are extra objects of template `77`.
//!
//! `set` changes an object or adds it to an existing parent; `remove` needs the object (or
//! the answer: `remove ppse`, `remove record/1/2`, `remove app/AID`) to exist; `replace`
//! replaces an answer (and adds a record or GET DATA answer that was not there). A path
//! naming something the image lacks is an error with the path, never ignored.

use tapcert_parsers::tlv::{Tag, TlvOwned, TlvValue};

use super::{Application, Behaviour, Body, CardImage, Cryptogram, RecordImage, Response};

/// One named difference from the base image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    /// What the difference is for (shown in reports).
    pub note: String,
    /// The change.
    pub op: DiffOp,
}

/// A change to an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffOp {
    /// Set a TLV object at a path (changed if there, else added to its parent).
    Set {
        /// The path (module docs).
        path: String,
        /// The new value.
        value: TlvValue,
    },
    /// Remove a TLV object, an answer or an application.
    Remove {
        /// The path.
        path: String,
    },
    /// Replace an answer.
    Replace {
        /// The path of an answer.
        path: String,
        /// The new answer.
        response: Response,
    },
    /// Add a behaviour.
    Behaviour(Behaviour),
    /// Add an application.
    Application(Box<Application>),
}

impl DiffOp {
    /// The operation's name in image files.
    pub fn name(&self) -> &'static str {
        match self {
            DiffOp::Set { .. } => "set",
            DiffOp::Remove { .. } => "remove",
            DiffOp::Replace { .. } => "replace",
            DiffOp::Behaviour(_) => "behaviour",
            DiffOp::Application(_) => "application",
        }
    }

    /// The path, for operations that have one.
    pub fn path(&self) -> Option<&str> {
        match self {
            DiffOp::Set { path, .. } | DiffOp::Remove { path } | DiffOp::Replace { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// Which answer a path names.
enum Target {
    Atr,
    Application,
    Ppse,
    Fci,
    Gpo,
    GenerateAc,
    Record(u8, u8),
    GetData(u16),
}

struct Parsed {
    app: Option<usize>,
    target: Target,
    tags: Vec<Tag>,
}

fn parse_tag(text: &str) -> Result<Tag, String> {
    let bytes = hex::decode(text).map_err(|_| format!("{text} is not a hex tag"))?;
    super::file::tag_of(&bytes).ok_or(format!("{text} is not one well-formed BER tag"))
}

fn parse_path(image: &CardImage, path: &str) -> Result<Parsed, String> {
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let mut app = None;
    if parts.first() == Some(&"app") {
        let aid_text = parts.get(1).ok_or("app needs an AID")?;
        let aid = hex::decode(aid_text).map_err(|_| format!("{aid_text} is not a hex AID"))?;
        let i = image.applications.iter().position(|a| a.aid == aid).ok_or(format!("no application {aid_text}"))?;
        app = Some(i);
        parts.drain(..2);
        if parts.is_empty() {
            return Ok(Parsed { app, target: Target::Application, tags: Vec::new() });
        }
    }
    let number = |i: usize, what: &str| -> Result<u8, String> {
        parts.get(i).and_then(|p| p.parse::<u8>().ok()).ok_or(format!("{what} needs a number"))
    };
    let (target, used) = match parts.first().copied() {
        Some("atr") => (Target::Atr, 1),
        Some("ppse") => (Target::Ppse, 1),
        Some("fci") => (Target::Fci, 1),
        Some("gpo") => (Target::Gpo, 1),
        Some("generate_ac") => (Target::GenerateAc, 1),
        Some("record") => (Target::Record(number(1, "record/SFI")?, number(2, "record/SFI/N")?), 3),
        Some("get_data") => {
            let t = parts.get(1).ok_or("get_data needs a tag")?;
            let b =
                hex::decode(t).ok().and_then(|b| <[u8; 2]>::try_from(b).ok()).ok_or("get_data needs a 2-byte tag")?;
            (Target::GetData(u16::from_be_bytes(b)), 2)
        }
        Some(other) => {
            return Err(format!("{other} is not an answer (atr, ppse, fci, gpo, generate_ac, record, get_data)"));
        }
        None => return Err("empty path".into()),
    };
    let tags = parts[used..].iter().map(|t| parse_tag(t)).collect::<Result<Vec<_>, _>>()?;
    if app.is_none() && !matches!(target, Target::Atr | Target::Ppse) {
        if image.applications.is_empty() {
            return Err("the image has no application".into());
        }
        app = Some(0);
    }
    Ok(Parsed { app, target, tags })
}

/// Applies one change; the error says what the path lacks.
pub(super) fn apply(image: &mut CardImage, op: &DiffOp) -> Result<(), String> {
    match op {
        DiffOp::Behaviour(b) => {
            image.behaviours.push(b.clone());
            Ok(())
        }
        DiffOp::Application(a) => {
            if image.application(&a.aid).is_some() {
                return Err(format!("application {} is already there", hex::encode_upper(&a.aid)));
            }
            image.applications.push((**a).clone());
            Ok(())
        }
        DiffOp::Set { path, value } => {
            let p = parse_path(image, path)?;
            let Some((last, parents)) = p.tags.split_last() else {
                if let (Target::Atr, TlvValue::Primitive(b)) = (&p.target, value) {
                    image.atr = b.clone();
                    return Ok(());
                }
                return Err("set needs a tag path after the answer (e.g. gpo/94)".into());
            };
            if let (Target::GenerateAc, Some(app)) = (&p.target, p.app) {
                return set_generate_ac(&mut image.applications[app], *last, parents, value);
            }
            let objects = objects_mut(image, &p)?;
            let parent = parent_mut(objects, &p.tags)?;
            match parent.iter_mut().find(|o| o.tag == *last) {
                Some(o) => o.value = value.clone(),
                None => parent.push(TlvOwned { tag: *last, value: value.clone() }),
            }
            Ok(())
        }
        DiffOp::Remove { path } => {
            let p = parse_path(image, path)?;
            let Some((last, _)) = p.tags.split_last() else { return remove_answer(image, &p) };
            if let (Target::GenerateAc, Some(app)) = (&p.target, p.app) {
                return remove_generate_ac(&mut image.applications[app], *last, &p.tags);
            }
            let objects = objects_mut(image, &p)?;
            let parent = parent_mut(objects, &p.tags)?;
            let i = parent.iter().position(|o| o.tag == *last).ok_or(format!("no {last} there"))?;
            parent.remove(i);
            Ok(())
        }
        DiffOp::Replace { path, response } => {
            let p = parse_path(image, path)?;
            if !p.tags.is_empty() {
                return Err("replace names an answer, not a TLV object (use set)".into());
            }
            let app = p.app.map(|i| &mut image.applications[i]);
            match (p.target, app) {
                (Target::Ppse, _) => image.ppse = Some(response.clone()),
                (Target::Fci, Some(a)) => a.fci = response.clone(),
                (Target::Gpo, Some(a)) => a.gpo = response.clone(),
                (Target::GenerateAc, Some(a)) => a.generate_ac.raw = Some(response.clone()),
                (Target::Record(sfi, number), Some(a)) => {
                    match a.records.iter_mut().find(|r| (r.sfi, r.number) == (sfi, number)) {
                        Some(r) => r.response = response.clone(),
                        None => a.records.push(RecordImage { sfi, number, response: response.clone() }),
                    }
                }
                (Target::GetData(tag), Some(a)) => match a.get_data.iter_mut().find(|(t, _)| *t == tag) {
                    Some((_, r)) => *r = response.clone(),
                    None => a.get_data.push((tag, response.clone())),
                },
                _ => return Err("replace needs an answer (ppse, fci, gpo, generate_ac, record/S/N, get_data/T)".into()),
            }
            Ok(())
        }
    }
}

fn remove_answer(image: &mut CardImage, p: &Parsed) -> Result<(), String> {
    match (&p.target, p.app) {
        (Target::Ppse, _) => image.ppse.take().map(|_| ()).ok_or("the image has no PPSE".into()),
        (Target::Application, Some(i)) => {
            image.applications.remove(i);
            Ok(())
        }
        (Target::Record(sfi, number), Some(i)) => {
            let a = &mut image.applications[i];
            let at = a
                .records
                .iter()
                .position(|r| (r.sfi, r.number) == (*sfi, *number))
                .ok_or(format!("no record SFI {sfi} #{number}"))?;
            a.records.remove(at);
            Ok(())
        }
        (Target::GetData(tag), Some(i)) => {
            let a = &mut image.applications[i];
            let at = a.get_data.iter().position(|(t, _)| t == tag).ok_or(format!("no GET DATA {tag:04X}"))?;
            a.get_data.remove(at);
            Ok(())
        }
        _ => Err("only ppse, app/AID, record/S/N and get_data/T can be removed whole (use replace)".into()),
    }
}

/// The TLV objects of the answer a path names.
fn objects_mut<'a>(image: &'a mut CardImage, p: &Parsed) -> Result<&'a mut Vec<TlvOwned>, String> {
    let app = p.app.map(|i| &mut image.applications[i]);
    let response = match (&p.target, app) {
        (Target::Ppse, _) => image.ppse.as_mut().ok_or("the image has no PPSE")?,
        (Target::Fci, Some(a)) => &mut a.fci,
        (Target::Gpo, Some(a)) => &mut a.gpo,
        (Target::Record(sfi, number), Some(a)) => a
            .records
            .iter_mut()
            .find(|r| (r.sfi, r.number) == (*sfi, *number))
            .map(|r| &mut r.response)
            .ok_or(format!("no record SFI {sfi} #{number}"))?,
        (Target::GetData(tag), Some(a)) => {
            a.get_data.iter_mut().find(|(t, _)| t == tag).map(|(_, r)| r).ok_or(format!("no GET DATA {tag:04X}"))?
        }
        _ => return Err("this answer holds no TLV objects".into()),
    };
    match &mut response.body {
        Body::Objects(o) => Ok(o),
        Body::Raw(_) => Err("the answer is raw bytes: no TLV path inside it (use replace)".into()),
    }
}

/// The children list that holds (or will hold) the last tag of `tags`. The answer's one
/// template is entered implicitly when the first tag is not at the top.
fn parent_mut<'a>(objects: &'a mut Vec<TlvOwned>, tags: &[Tag]) -> Result<&'a mut Vec<TlvOwned>, String> {
    let mut level = objects;
    let first = tags.first().copied().ok_or("no tag")?;
    let enter =
        !level.iter().any(|o| o.tag == first) && level.len() == 1 && matches!(level[0].value, TlvValue::Constructed(_));
    if enter {
        level = match &mut level[0].value {
            TlvValue::Constructed(children) => children,
            TlvValue::Primitive(_) => return Err("no template".into()),
        };
    }
    for tag in tags.iter().take(tags.len().saturating_sub(1)) {
        let i = level.iter().position(|o| o.tag == *tag).ok_or(format!("no {tag} there"))?;
        level = match &mut level[i].value {
            TlvValue::Constructed(c) => c,
            TlvValue::Primitive(_) => return Err(format!("{tag} is primitive: nothing inside it")),
        };
    }
    Ok(level)
}

fn set_generate_ac(app: &mut Application, last: Tag, parents: &[Tag], value: &TlvValue) -> Result<(), String> {
    let g = &mut app.generate_ac;
    let bytes = |n: usize| match value {
        TlvValue::Primitive(b) if b.len() == n => Ok(b.clone()),
        _ => Err(format!("generate_ac/{last} takes {n} bytes")),
    };
    if !parents.is_empty() {
        return Err("generate_ac objects are one level deep".into());
    }
    match last.0 {
        0x9F27 => g.cid = bytes(1)?[0],
        0x9F36 => g.atc = u16::from_be_bytes([bytes(2)?[0], bytes(2)?[1]]),
        0x9F10 => match value {
            TlvValue::Primitive(b) => g.iad = Some(b.clone()),
            TlvValue::Constructed(_) => return Err("generate_ac/9F10 takes bytes".into()),
        },
        0x9F26 => {
            let b = bytes(8)?;
            let mut c = [0u8; 8];
            c.copy_from_slice(&b);
            g.cryptogram = Cryptogram::Fixed(c);
        }
        _ => match g.extra.iter_mut().find(|o| o.tag == last) {
            Some(o) => o.value = value.clone(),
            None => g.extra.push(TlvOwned { tag: last, value: value.clone() }),
        },
    }
    Ok(())
}

fn remove_generate_ac(app: &mut Application, last: Tag, tags: &[Tag]) -> Result<(), String> {
    let g = &mut app.generate_ac;
    if tags.len() != 1 {
        return Err("generate_ac objects are one level deep".into());
    }
    match last.0 {
        0x9F10 => g.iad.take().map(|_| ()).ok_or("no 9F10 there".into()),
        0x9F27 | 0x9F36 | 0x9F26 => Err(format!("generate_ac/{last} cannot be removed (use replace for a raw answer)")),
        _ => {
            let i = g.extra.iter().position(|o| o.tag == last).ok_or(format!("no {last} there"))?;
            g.extra.remove(i);
            Ok(())
        }
    }
}
