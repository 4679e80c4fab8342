//! The TOML form of a card image (`docs/card-images.md`): serde structs of strings and
//! numbers, converted to and from the [`CardImage`] model with errors that say where.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tapcert_parsers::tlv::{Tag, TlvOwned, TlvValue, parse_emv_tag};

use super::diff::{self, Diff, DiffOp};
use super::{
    Action, AppKind, Application, Behaviour, Body, CardImage, CommandMatch, Cryptogram, GenerateAc, ImageError,
    RecordImage, Response,
};

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageFile {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extends: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    based_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    atr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ppse: Option<ResponseFile>,
    #[serde(default, rename = "application", skip_serializing_if = "Vec::is_empty")]
    applications: Vec<ApplicationFile>,
    #[serde(default, rename = "behaviour", skip_serializing_if = "Vec::is_empty")]
    behaviours: Vec<BehaviourFile>,
    #[serde(default, rename = "diff", skip_serializing_if = "Vec::is_empty")]
    diffs: Vec<DiffFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    applied: Vec<DiffFile>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TlvFile {
    tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    children: Option<Vec<TlvFile>>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    objects: Option<Vec<TlvFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sw: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationFile {
    aid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    priority: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    fci: ResponseFile,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gpo: Option<ResponseFile>,
    #[serde(default, rename = "record", skip_serializing_if = "Vec::is_empty")]
    records: Vec<RecordFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    generate_ac: Option<GenerateAcFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    get_data: Vec<GetDataFile>,
}

// RecordFile and GetDataFile repeat ResponseFile's three fields rather than
// `#[serde(flatten)]` it: serde does not support `flatten` with `deny_unknown_fields`, and a
// misspelt key in an image must be an error.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordFile {
    sfi: u8,
    number: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    objects: Option<Vec<TlvFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sw: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GetDataFile {
    tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    objects: Option<Vec<TlvFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sw: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenerateAcFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    atc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iad: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cryptogram: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extra: Option<Vec<TlvFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<ResponseFile>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BehaviourFile {
    on: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nth: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chain: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrong_le: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mute: Option<String>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffFile {
    op: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    children: Option<Vec<TlvFile>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<ResponseFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    behaviour: Option<BehaviourFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    application: Option<ApplicationFile>,
}

/// Errors name the file; `at` says where inside it.
struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, at: &str, expected: impl Into<String>) -> ImageError {
        ImageError::Field { file: self.file.into(), at: at.into(), expected: expected.into() }
    }

    /// Hex with optional spaces.
    fn hex(&self, at: &str, text: &str) -> Result<Vec<u8>, ImageError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        hex::decode(&compact).map_err(|e| self.err(at, format!("hex bytes ({e})")))
    }

    fn hex_n<const N: usize>(&self, at: &str, text: &str) -> Result<[u8; N], ImageError> {
        let b = self.hex(at, text)?;
        b.try_into().map_err(|b: Vec<u8>| self.err(at, format!("{N} hex bytes, found {}", b.len())))
    }

    fn sw(&self, at: &str, text: Option<&str>) -> Result<u16, ImageError> {
        text.map_or(Ok(0x9000), |t| self.hex_n::<2>(at, t).map(u16::from_be_bytes))
    }

    fn tag(&self, at: &str, text: &str) -> Result<Tag, ImageError> {
        tag_of(&self.hex(at, text)?).ok_or_else(|| self.err(at, "one well-formed BER tag (1-4 bytes), e.g. 9F38"))
    }

    fn objects(&self, at: &str, objects: &[TlvFile], depth: usize) -> Result<Vec<TlvOwned>, ImageError> {
        if depth > MAX_FILE_NESTING {
            return Err(self.err(at, format!("at most {MAX_FILE_NESTING} levels of children (use raw for more)")));
        }
        objects
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let at = format!("{at}[{i}]");
                let tag = self.tag(&format!("{at}.tag"), &o.tag)?;
                let value = match (&o.value, &o.children) {
                    (Some(v), None) => TlvValue::Primitive(self.hex(&format!("{at}.value"), v)?),
                    (None, Some(c)) => TlvValue::Constructed(self.objects(&format!("{at}.children"), c, depth + 1)?),
                    _ => return Err(self.err(&at, "exactly one of value (hex) or children")),
                };
                Ok(TlvOwned { tag, value })
            })
            .collect()
    }

    fn response(
        &self,
        at: &str,
        objects: Option<&[TlvFile]>,
        raw: Option<&str>,
        sw: Option<&str>,
    ) -> Result<Response, ImageError> {
        let body = match (objects, raw) {
            (Some(o), None) => Body::Objects(self.objects(&format!("{at}.objects"), o, 0)?),
            (None, Some(r)) => Body::Raw(self.hex(&format!("{at}.raw"), r)?),
            (None, None) => Body::Raw(Vec::new()),
            (Some(_), Some(_)) => return Err(self.err(at, "objects or raw, not both")),
        };
        Ok(Response { body, sw: self.sw(&format!("{at}.sw"), sw)? })
    }

    fn response_file(&self, at: &str, r: &ResponseFile) -> Result<Response, ImageError> {
        self.response(at, r.objects.as_deref(), r.raw.as_deref(), r.sw.as_deref())
    }

    fn application(&self, at: &str, a: &ApplicationFile) -> Result<Application, ImageError> {
        let kind = match a.kind.as_deref() {
            None | Some("emv") => AppKind::Emv,
            Some("other") => AppKind::Other,
            Some(_) => return Err(self.err(&format!("{at}.kind"), "emv or other")),
        };
        let records = a
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = format!("{at}.record[{i}]");
                if !(1..=30).contains(&r.sfi) || r.number == 0 || r.number == 0xFF {
                    return Err(self.err(&at, "sfi 1-30 and number 1-254"));
                }
                let response = self.response(&at, r.objects.as_deref(), r.raw.as_deref(), r.sw.as_deref())?;
                Ok(RecordImage { sfi: r.sfi, number: r.number, response })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let get_data = a
            .get_data
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let at = format!("{at}.get_data[{i}]");
                let tag = u16::from_be_bytes(self.hex_n::<2>(&format!("{at}.tag"), &g.tag)?);
                Ok((tag, self.response(&at, g.objects.as_deref(), g.raw.as_deref(), g.sw.as_deref())?))
            })
            .collect::<Result<Vec<_>, ImageError>>()?;
        let gpo = match &a.gpo {
            Some(g) => self.response_file(&format!("{at}.gpo"), g)?,
            None => Response::status(0x6985),
        };
        let generate_ac = match &a.generate_ac {
            Some(g) => self.generate_ac(&format!("{at}.generate_ac"), g)?,
            None => GenerateAc { raw: Some(Response::status(0x6985)), ..default_generate_ac() },
        };
        Ok(Application {
            aid: self.hex(&format!("{at}.aid"), &a.aid)?,
            label: a.label.clone(),
            priority: a.priority,
            kind,
            fci: self.response_file(&format!("{at}.fci"), &a.fci)?,
            gpo,
            records,
            generate_ac,
            get_data,
        })
    }

    fn generate_ac(&self, at: &str, g: &GenerateAcFile) -> Result<GenerateAc, ImageError> {
        let field = |name: &str| format!("{at}.{name}");
        let format = g.format.unwrap_or(2);
        if !matches!(format, 1 | 2) {
            return Err(self.err(&field("format"), "1 (template 80) or 2 (template 77)"));
        }
        let cryptogram = match (&g.key, &g.cryptogram) {
            (Some(k), None) if super::test_key(k).is_some() => Cryptogram::Key(k.clone()),
            (Some(_), None) => {
                return Err(self.err(&field("key"), format!("one of {}", super::TEST_KEY_NAMES.join(", "))));
            }
            (None, Some(c)) => Cryptogram::Fixed(self.hex_n::<8>(&field("cryptogram"), c)?),
            (None, None) => Cryptogram::Key("test-imk-ac".into()),
            (Some(_), Some(_)) => return Err(self.err(at, "key or cryptogram, not both")),
        };
        Ok(GenerateAc {
            format,
            cid: g.cid.as_deref().map_or(Ok([0x80]), |c| self.hex_n::<1>(&field("cid"), c))?[0],
            atc: u16::from_be_bytes(g.atc.as_deref().map_or(Ok([0, 1]), |c| self.hex_n::<2>(&field("atc"), c))?),
            iad: g.iad.as_deref().map(|i| self.hex(&field("iad"), i)).transpose()?,
            cryptogram,
            extra: g.extra.as_deref().map_or(Ok(Vec::new()), |e| self.objects(&field("extra"), e, 0))?,
            sw: self.sw(&field("sw"), g.sw.as_deref())?,
            raw: g.response.as_ref().map(|r| self.response_file(&field("response"), r)).transpose()?,
        })
    }

    pub(super) fn behaviour(&self, at: &str, b: &BehaviourFile) -> Result<Behaviour, ImageError> {
        let on = parse_match(&b.on).ok_or_else(|| {
            self.err(
                &format!("{at}.on"),
                "any, select-ppse, select, gpo, read-record[/SFI[/N]], generate-ac, get-data, get-response or apdu:HEX",
            )
        })?;
        let mut actions = Vec::new();
        if let Some(ms) = b.delay_ms {
            actions.push(Action::Delay(Duration::from_millis(ms)));
        }
        if let Some(sw) = &b.sw {
            actions.push(Action::Sw(u16::from_be_bytes(self.hex_n::<2>(&format!("{at}.sw"), sw)?)));
        }
        if let Some(n) = b.chain {
            if !(1..=256).contains(&n) {
                return Err(self.err(&format!("{at}.chain"), "a chunk size of 1-256 bytes"));
            }
            actions.push(Action::Chain(n));
        }
        if b.wrong_le == Some(true) {
            actions.push(Action::WrongLe);
        }
        match b.mute.as_deref() {
            None => {}
            Some("now") => actions.push(Action::MuteNow),
            Some("after") => actions.push(Action::MuteAfter),
            Some(_) => return Err(self.err(&format!("{at}.mute"), "now or after")),
        }
        if actions.len() != 1 {
            return Err(self.err(at, "exactly one of delay_ms, sw, chain, wrong_le = true, mute"));
        }
        if b.nth == Some(0) {
            return Err(self.err(&format!("{at}.nth"), "1 or more (the first matching command is 1)"));
        }
        Ok(Behaviour { on, nth: b.nth, action: actions.remove(0) })
    }

    fn diff(&self, at: &str, d: &DiffFile) -> Result<Diff, ImageError> {
        let path = || d.path.clone().ok_or_else(|| self.err(at, format!("op {} needs a path", d.op)));
        let op = match d.op.as_str() {
            "set" => {
                let value = match (&d.value, &d.children) {
                    (Some(v), None) => TlvValue::Primitive(self.hex(&format!("{at}.value"), v)?),
                    (None, Some(c)) => TlvValue::Constructed(self.objects(&format!("{at}.children"), c, 0)?),
                    _ => return Err(self.err(at, "set needs exactly one of value (hex) or children")),
                };
                DiffOp::Set { path: path()?, value }
            }
            "remove" => DiffOp::Remove { path: path()? },
            "replace" => {
                let r = d.response.as_ref().ok_or_else(|| self.err(at, "replace needs a response"))?;
                DiffOp::Replace { path: path()?, response: self.response_file(&format!("{at}.response"), r)? }
            }
            "behaviour" => {
                let b = d.behaviour.as_ref().ok_or_else(|| self.err(at, "op behaviour needs a behaviour"))?;
                DiffOp::Behaviour(self.behaviour(&format!("{at}.behaviour"), b)?)
            }
            "application" => {
                let a = d.application.as_ref().ok_or_else(|| self.err(at, "op application needs an application"))?;
                DiffOp::Application(Box::new(self.application(&format!("{at}.application"), a)?))
            }
            _ => return Err(self.err(&format!("{at}.op"), "set, remove, replace, behaviour or application")),
        };
        Ok(Diff { note: d.note.clone(), op })
    }
}

/// The tag these bytes are, when they are exactly one well-formed tag.
pub(super) fn tag_of(bytes: &[u8]) -> Option<Tag> {
    match parse_emv_tag(bytes) {
        Ok(([], tag)) => Some(tag),
        _ => None,
    }
}

/// Deepest `children` nesting a file may write (deeper structures go in `raw`).
const MAX_FILE_NESTING: usize = 32;

fn parse_match(s: &str) -> Option<CommandMatch> {
    if let Some(h) = s.strip_prefix("apdu:") {
        return hex::decode(h).ok().filter(|b| !b.is_empty()).map(CommandMatch::Prefix);
    }
    let mut parts = s.split('/');
    let m = match parts.next()? {
        "any" => CommandMatch::Any,
        "select-ppse" => CommandMatch::SelectPpse,
        "select" => CommandMatch::Select,
        "gpo" => CommandMatch::Gpo,
        "generate-ac" => CommandMatch::GenerateAc,
        "get-data" => CommandMatch::GetData,
        "get-response" => CommandMatch::GetResponse,
        "read-record" => {
            let sfi = match parts.next() {
                None | Some("*") => None,
                Some(n) => Some(n.parse::<u8>().ok()?),
            };
            let record = parts.next().map(str::parse::<u8>).transpose().ok()?;
            CommandMatch::ReadRecord { sfi, record }
        }
        _ => return None,
    };
    parts.next().is_none().then_some(m)
}

fn match_text(m: &CommandMatch) -> String {
    match m {
        CommandMatch::Any => "any".into(),
        CommandMatch::SelectPpse => "select-ppse".into(),
        CommandMatch::Select => "select".into(),
        CommandMatch::Gpo => "gpo".into(),
        CommandMatch::GenerateAc => "generate-ac".into(),
        CommandMatch::GetData => "get-data".into(),
        CommandMatch::GetResponse => "get-response".into(),
        CommandMatch::ReadRecord { sfi: None, record: None } => "read-record".into(),
        CommandMatch::ReadRecord { sfi: Some(s), record: None } => format!("read-record/{s}"),
        CommandMatch::ReadRecord { sfi: Some(s), record: Some(r) } => format!("read-record/{s}/{r}"),
        CommandMatch::ReadRecord { sfi: None, record: Some(r) } => format!("read-record/*/{r}"),
        CommandMatch::Prefix(p) => format!("apdu:{}", hex::encode_upper(p)),
    }
}

fn default_generate_ac() -> GenerateAc {
    GenerateAc {
        format: 2,
        cid: 0x80,
        atc: 1,
        iad: None,
        cryptogram: Cryptogram::Key("test-imk-ac".into()),
        extra: Vec::new(),
        sw: 0x9000,
        raw: None,
    }
}

/// Parses image text; `extends` is resolved (bundled name, or a path relative to `dir`).
pub(super) fn parse_image(text: &str, name: &str, dir: Option<PathBuf>, depth: usize) -> Result<CardImage, ImageError> {
    let f: ImageFile =
        toml::from_str(text).map_err(|e| ImageError::Toml { file: name.into(), detail: e.to_string() })?;
    let cx = Ctx { file: name };
    let image_name = if f.name.is_empty() { name.to_string() } else { f.name.clone() };
    if let Some(base_name) = &f.extends {
        if f.atr.is_some() || f.ppse.is_some() || !f.applications.is_empty() || !f.behaviours.is_empty() {
            return Err(cx.err("extends", "an image that extends a base changes it only through [[diff]] entries"));
        }
        let mut image = super::resolve_base(base_name, dir.as_ref(), depth).map_err(|reason| ImageError::Extends {
            file: name.into(),
            base: base_name.clone(),
            reason,
        })?;
        let diffs = f
            .diffs
            .iter()
            .enumerate()
            .map(|(i, d)| cx.diff(&format!("diff[{i}]"), d))
            .collect::<Result<Vec<_>, _>>()?;
        for (index, d) in diffs.iter().enumerate() {
            diff::apply(&mut image, &d.op).map_err(|missing| ImageError::DiffPath {
                file: name.into(),
                index,
                op: d.op.name().into(),
                path: d.op.path().unwrap_or_default().into(),
                missing,
            })?;
        }
        image.name = image_name;
        image.description = f.description.clone();
        image.base = Some(base_name.clone());
        image.diffs = diffs;
        return Ok(image);
    }
    if !f.diffs.is_empty() {
        return Err(cx.err("diff", "[[diff]] entries need an extends = \"base\""));
    }
    let atr = f.atr.as_deref().ok_or_else(|| cx.err("atr", "the ATR in hex"))?;
    Ok(CardImage {
        name: image_name,
        description: f.description.clone(),
        atr: cx.hex("atr", atr)?,
        ppse: f.ppse.as_ref().map(|p| cx.response_file("ppse", p)).transpose()?,
        applications: f
            .applications
            .iter()
            .enumerate()
            .map(|(i, a)| cx.application(&format!("application[{i}]"), a))
            .collect::<Result<_, _>>()?,
        behaviours: f
            .behaviours
            .iter()
            .enumerate()
            .map(|(i, b)| cx.behaviour(&format!("behaviour[{i}]"), b))
            .collect::<Result<_, _>>()?,
        base: f.based_on.clone(),
        diffs: f
            .applied
            .iter()
            .enumerate()
            .map(|(i, d)| cx.diff(&format!("applied[{i}]"), d))
            .collect::<Result<_, _>>()?,
    })
}

fn hex_text(b: &[u8]) -> String {
    hex::encode_upper(b)
}

pub(super) fn tlv_files(objects: &[TlvOwned]) -> Vec<TlvFile> {
    objects
        .iter()
        .map(|o| TlvFile {
            tag: hex_text(o.tag.to_bytes().as_ref()),
            value: o.bytes().map(hex_text),
            children: match &o.value {
                TlvValue::Constructed(c) => Some(tlv_files(c)),
                TlvValue::Primitive(_) => None,
            },
        })
        .collect()
}

fn sw_text(sw: u16) -> Option<String> {
    (sw != 0x9000).then(|| hex_text(&sw.to_be_bytes()))
}

fn response_parts(r: &Response) -> (Option<Vec<TlvFile>>, Option<String>, Option<String>) {
    match &r.body {
        Body::Objects(o) => (Some(tlv_files(o)), None, sw_text(r.sw)),
        // Empty raw data is the default: leave it out.
        Body::Raw(b) if b.is_empty() => (None, None, sw_text(r.sw)),
        Body::Raw(b) => (None, Some(hex_text(b)), sw_text(r.sw)),
    }
}

fn response_file(r: &Response) -> ResponseFile {
    let (objects, raw, sw) = response_parts(r);
    ResponseFile { objects, raw, sw }
}

fn application_file(a: &Application) -> ApplicationFile {
    let g = &a.generate_ac;
    ApplicationFile {
        aid: hex_text(&a.aid),
        label: a.label.clone(),
        priority: a.priority,
        kind: Some(match a.kind {
            AppKind::Emv => "emv".into(),
            AppKind::Other => "other".into(),
        }),
        fci: response_file(&a.fci),
        gpo: Some(response_file(&a.gpo)),
        records: a
            .records
            .iter()
            .map(|r| {
                let (objects, raw, sw) = response_parts(&r.response);
                RecordFile { sfi: r.sfi, number: r.number, objects, raw, sw }
            })
            .collect(),
        generate_ac: Some(GenerateAcFile {
            format: Some(g.format),
            cid: Some(hex_text(&[g.cid])),
            atc: Some(hex_text(&g.atc.to_be_bytes())),
            iad: g.iad.as_deref().map(hex_text),
            key: match &g.cryptogram {
                Cryptogram::Key(k) => Some(k.clone()),
                Cryptogram::Fixed(_) => None,
            },
            cryptogram: match &g.cryptogram {
                Cryptogram::Fixed(c) => Some(hex_text(c)),
                Cryptogram::Key(_) => None,
            },
            extra: (!g.extra.is_empty()).then(|| tlv_files(&g.extra)),
            sw: sw_text(g.sw),
            response: g.raw.as_ref().map(response_file),
        }),
        get_data: a
            .get_data
            .iter()
            .map(|(tag, r)| {
                let (objects, raw, sw) = response_parts(r);
                GetDataFile { tag: hex_text(&tag.to_be_bytes()), objects, raw, sw }
            })
            .collect(),
    }
}

pub(super) fn behaviour_file(b: &Behaviour) -> BehaviourFile {
    let mut f = BehaviourFile { on: match_text(&b.on), nth: b.nth, ..BehaviourFile::default() };
    match &b.action {
        Action::Delay(d) => f.delay_ms = Some(d.as_millis().min(u128::from(u64::MAX)) as u64),
        Action::Sw(sw) => f.sw = Some(hex_text(&sw.to_be_bytes())),
        Action::Chain(n) => f.chain = Some(*n),
        Action::WrongLe => f.wrong_le = Some(true),
        Action::MuteNow => f.mute = Some("now".into()),
        Action::MuteAfter => f.mute = Some("after".into()),
    }
    f
}

fn diff_file(d: &Diff) -> DiffFile {
    let mut f = DiffFile { op: d.op.name().into(), note: d.note.clone(), ..DiffFile::default() };
    match &d.op {
        DiffOp::Set { path, value } => {
            f.path = Some(path.clone());
            match value {
                TlvValue::Primitive(b) => f.value = Some(hex_text(b)),
                TlvValue::Constructed(c) => f.children = Some(tlv_files(c)),
            }
        }
        DiffOp::Remove { path } => f.path = Some(path.clone()),
        DiffOp::Replace { path, response } => {
            f.path = Some(path.clone());
            f.response = Some(response_file(response));
        }
        DiffOp::Behaviour(b) => f.behaviour = Some(behaviour_file(b)),
        DiffOp::Application(a) => f.application = Some(application_file(a)),
    }
    f
}

pub(super) fn write_image(image: &CardImage) -> String {
    let f = ImageFile {
        name: image.name.clone(),
        description: image.description.clone(),
        extends: None,
        based_on: image.base.clone(),
        atr: Some(hex_text(&image.atr)),
        ppse: image.ppse.as_ref().map(response_file),
        applications: image.applications.iter().map(application_file).collect(),
        behaviours: image.behaviours.iter().map(behaviour_file).collect(),
        diffs: Vec::new(),
        applied: image.diffs.iter().map(diff_file).collect(),
    };
    toml::to_string(&f).unwrap_or_else(|e| format!("# the image could not be written as TOML: {e}\n"))
}
