//! `tapcert token <kind>`: generate EMV cryptograms, dynamic codes and QR tokens from the
//! command line (keys and data as hex), for checking a device's output by hand or in scripts.
//! `--json` prints one JSON object per call.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Map, Value, json};
use tapcert_crypto::{
    AcData, Aes, AesCmac, CpmCard, Cvn, HmacAlgorithm, HmacKey, IccMkDerivation, KcvMethod, KeyAlgorithm, Padding,
    Tdes, derive_icc_mk_option_a, derive_icc_mk_option_b, derive_icc_mk_option_c, derive_session_key_emv_csk,
    derive_session_key_emv_csk_aes, derive_session_key_emv2000_tree, derive_session_key_visa_sm, emv_csk_r,
    emv_csk_r_aes, format_cvc3, generate_ac_aes, generate_ac_tdes, generate_arpc_method1, generate_arpc_method1_aes,
    generate_arpc_method2, generate_arpc_method2_aes, generate_cpm_token, generate_cvc3, generate_dcvv,
    generate_ivcvc3, hotp, key_check_value, mastercard_skd_r,
};

/// Arguments of `tapcert token`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct TokenArgs {
    /// Which token to generate.
    #[command(subcommand)]
    pub kind: TokenKind,
}

/// The token kinds.
#[derive(Debug, Subcommand)]
pub enum TokenKind {
    /// Application cryptogram (ARQC/TC/AAC) from an issuer master key.
    Arqc(ArqcArgs),
    /// Authorisation response cryptogram (ARPC method 1 or 2).
    Arpc(ArpcArgs),
    /// Mastercard CVC3 (contactless mag-stripe).
    Cvc3(Cvc3Args),
    /// Visa dCVV (jPOS algorithm).
    Dcvv(DcvvArgs),
    /// HOTP (RFC 4226).
    Hotp(HotpArgs),
    /// TOTP (RFC 6238).
    Totp(TotpArgs),
    /// EMVCo consumer-presented-mode QR token carrying a fresh cryptogram.
    CpmQr(CpmQrArgs),
    /// Session key (EMV CSK, Mastercard SKD, Visa SM).
    SessionKey(SessionKeyArgs),
    /// ICC master key from an issuer master key (EMV Book 2 A1.4).
    IccMk(IccMkArgs),
    /// Key check value.
    Kcv(KcvArgs),
}

/// ICC master key derivation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MkDerivationArg {
    /// EMV Book 2 A1.4.1 (TDES).
    OptionA,
    /// EMV Book 2 A1.4.2 (TDES; PANs of 16 digits or fewer use Option A).
    OptionB,
    /// EMV Book 2 A1.4.3 (AES).
    OptionC,
}

/// Session key derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SessionArg {
    /// EMV Common Session Key, R = ATC ‖ 0.
    EmvCsk,
    /// Mastercard SKD, R = ATC ‖ 0000 ‖ UN (needs --un).
    MastercardSkd,
    /// No session key: the ICC master key computes the AC.
    None,
}

/// MAC of the cryptogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MacArg {
    /// ISO/IEC 9797-1 MAC algorithm 3 (TDES keys).
    Retail,
    /// AES-CMAC (AES keys).
    Cmac,
}

/// Hash of HOTP/TOTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgoArg {
    /// HMAC-SHA-1.
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl From<AlgoArg> for HmacAlgorithm {
    fn from(a: AlgoArg) -> Self {
        match a {
            AlgoArg::Sha1 => HmacAlgorithm::Sha1,
            AlgoArg::Sha256 => HmacAlgorithm::Sha256,
            AlgoArg::Sha512 => HmacAlgorithm::Sha512,
        }
    }
}

/// Key algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgArg {
    /// TDES (16 or 24 bytes).
    Tdes,
    /// AES (16, 24 or 32 bytes).
    Aes,
}

/// `tapcert token arqc`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct ArqcArgs {
    /// Issuer master key (hex; TDES for retail, AES for cmac).
    #[arg(long)]
    pub imk: String,
    /// PAN (digits).
    #[arg(long)]
    pub pan: String,
    /// PAN sequence number (0-99).
    #[arg(long)]
    pub psn: u8,
    /// ATC (2 bytes hex).
    #[arg(long)]
    pub atc: String,
    /// AC input data (hex), e.g. CDOL1 data and the CVN's IAD part.
    #[arg(long)]
    pub data: String,
    /// ICC master key derivation (default: option-a for retail, option-c for cmac).
    #[arg(long, value_enum)]
    pub mk_derivation: Option<MkDerivationArg>,
    /// Session key derivation.
    #[arg(long, value_enum, default_value = "emv-csk")]
    pub session: SessionArg,
    /// MAC algorithm.
    #[arg(long, value_enum, default_value = "retail")]
    pub mac: MacArg,
    /// Unpredictable number (4 bytes hex), for mastercard-skd.
    #[arg(long)]
    pub un: Option<String>,
    /// ISO/IEC 9797-1 padding method for retail (1 or 2).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub padding: u8,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tapcert token arpc`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct ArpcArgs {
    /// ARPC key (hex): the ICC MK or the session key, as the CVN requires.
    #[arg(long)]
    pub key: String,
    /// ARQC (8 bytes hex).
    #[arg(long)]
    pub arqc: String,
    /// ARPC method (1 or 2).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub method: u8,
    /// Authorisation response code (2 bytes hex), method 1.
    #[arg(long)]
    pub arc: Option<String>,
    /// Card status update (4 bytes hex), method 2.
    #[arg(long)]
    pub csu: Option<String>,
    /// Proprietary authentication data (hex, 0-8 bytes), method 2.
    #[arg(long, default_value = "")]
    pub prop: String,
    /// Key family: retail = TDES key (method 1 TDES, method 2 retail MAC), cmac = AES key
    /// (method 1 AES-ECB, method 2 AES-CMAC).
    #[arg(long, value_enum, default_value = "retail")]
    pub mac: MacArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tapcert token cvc3`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct Cvc3Args {
    /// Issuer master key for CVC3 (TDES hex).
    #[arg(long)]
    pub imk: String,
    /// PAN (digits).
    #[arg(long)]
    pub pan: String,
    /// PAN sequence number.
    #[arg(long, default_value_t = 0)]
    pub psn: u8,
    /// Track 2 data template as hex digits (e.g. PAN D YYMM SC DD F).
    #[arg(long, conflicts_with = "track1")]
    pub track2: Option<String>,
    /// Track 1 data template as text (B PAN ^ NAME ^ YYMM SC DD).
    #[arg(long)]
    pub track1: Option<String>,
    /// ATC (2 bytes hex).
    #[arg(long)]
    pub atc: String,
    /// Unpredictable number (4 bytes hex).
    #[arg(long)]
    pub un: String,
    /// ICC key derivation.
    #[arg(long, value_enum, default_value = "option-a")]
    pub mk_derivation: MkDerivationArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tapcert token dcvv`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct DcvvArgs {
    /// Issuer master key AC (TDES hex).
    #[arg(long)]
    pub imk: String,
    /// PAN (digits).
    #[arg(long)]
    pub pan: String,
    /// Expiry date YYMM.
    #[arg(long)]
    pub expiry: String,
    /// Service code (3 digits).
    #[arg(long)]
    pub service_code: String,
    /// ATC (2 bytes hex).
    #[arg(long)]
    pub atc: String,
    /// ICC key derivation (option-b is applied to any PAN length, as jPOS does).
    #[arg(long, value_enum, default_value = "option-a")]
    pub mk_derivation: MkDerivationArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tapcert token hotp`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct HotpArgs {
    /// Shared secret (hex).
    #[arg(long)]
    pub secret: String,
    /// Counter.
    #[arg(long)]
    pub counter: u64,
    /// Digits (6-10).
    #[arg(long, default_value_t = 6)]
    pub digits: u32,
    /// Hash.
    #[arg(long, value_enum, default_value = "sha1")]
    pub algo: AlgoArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tapcert token totp`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct TotpArgs {
    /// Shared secret (hex).
    #[arg(long)]
    pub secret: String,
    /// Unix time (seconds).
    #[arg(long)]
    pub time: u64,
    /// Digits (6-10).
    #[arg(long, default_value_t = 6)]
    pub digits: u32,
    /// Hash.
    #[arg(long, value_enum, default_value = "sha1")]
    pub algo: AlgoArg,
    /// Time step X in seconds.
    #[arg(long, default_value_t = 30)]
    pub step: u64,
    /// Start time T0 (Unix seconds).
    #[arg(long, default_value_t = 0)]
    pub t0: u64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tapcert token cpm-qr`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct CpmQrArgs {
    /// Issuer master key AC (TDES hex).
    #[arg(long)]
    pub imk: String,
    /// PAN (digits).
    #[arg(long)]
    pub pan: String,
    /// PAN sequence number.
    #[arg(long, default_value_t = 0)]
    pub psn: u8,
    /// Cryptogram version.
    #[arg(long, value_enum, default_value = "visa10")]
    pub cvn: CvnArg,
    /// The 33-byte AC data (9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36), hex.
    #[arg(long)]
    pub data: String,
    /// Issuer application data 9F10 (hex).
    #[arg(long)]
    pub iad: String,
    /// AID (4F), hex.
    #[arg(long, default_value = "A0000000031010")]
    pub aid: String,
    /// Application label (50).
    #[arg(long, default_value = "CREDIT")]
    pub label: String,
    /// Cardholder name (5F20, EMV ans 2-26: printable ASCII).
    #[arg(long, value_parser = cardholder_name)]
    pub name: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Cryptogram version for `cpm-qr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CvnArg {
    /// Visa CVN 10.
    Visa10,
    /// Visa CVN 18.
    Visa18,
    /// Visa CVN 22.
    Visa22,
    /// Mastercard CVN 16.
    Mc16,
    /// Mastercard CVN 17.
    Mc17,
    /// Mastercard CVN 20.
    Mc20,
    /// Mastercard CVN 21.
    Mc21,
}

impl From<CvnArg> for Cvn {
    fn from(c: CvnArg) -> Self {
        match c {
            CvnArg::Visa10 => Cvn::Visa10,
            CvnArg::Visa18 => Cvn::Visa18,
            CvnArg::Visa22 => Cvn::Visa22,
            CvnArg::Mc16 => Cvn::Mastercard16,
            CvnArg::Mc17 => Cvn::Mastercard17,
            CvnArg::Mc20 => Cvn::Mastercard20,
            CvnArg::Mc21 => Cvn::Mastercard21,
        }
    }
}

/// Session key method for `session-key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SessionMethodArg {
    /// EMV CSK (TDES or AES), R = ATC ‖ 0 unless --r is given.
    EmvCsk,
    /// Mastercard SKD (needs --un).
    MastercardSkd,
    /// Visa secure messaging (MK ⊕ ATC).
    VisaSm,
    /// Legacy EMV2000 tree (EMV 4.1 Book 2 A1.3; --height, --branch, --iv).
    Emv2000Tree,
}

/// `tapcert token session-key`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct SessionKeyArgs {
    /// ICC master key (hex).
    #[arg(long)]
    pub mk: String,
    /// ATC (2 bytes hex).
    #[arg(long, conflicts_with = "r")]
    pub atc: Option<String>,
    /// Explicit diversification value R (8 bytes TDES, 16 bytes AES), instead of --atc.
    #[arg(long)]
    pub r: Option<String>,
    /// Unpredictable number (4 bytes hex), for mastercard-skd.
    #[arg(long)]
    pub un: Option<String>,
    /// Method.
    #[arg(long, value_enum, default_value = "emv-csk")]
    pub method: SessionMethodArg,
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "tdes")]
    pub alg: KeyAlgArg,
    /// EMV2000 tree height H (8 or 16 recommended).
    #[arg(long, default_value_t = 8)]
    pub height: u32,
    /// EMV2000 tree branch factor b (4 or 2 recommended; b^H >= 65535).
    #[arg(long, default_value_t = 4)]
    pub branch: u32,
    /// EMV2000 tree initial value (16 bytes hex).
    #[arg(long, default_value = "00000000000000000000000000000000")]
    pub iv: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `tapcert token icc-mk`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct IccMkArgs {
    /// Issuer master key (hex; AES for option-c).
    #[arg(long)]
    pub imk: String,
    /// PAN (digits).
    #[arg(long)]
    pub pan: String,
    /// PAN sequence number.
    #[arg(long, default_value_t = 0)]
    pub psn: u8,
    /// Method.
    #[arg(long, value_enum, default_value = "option-a")]
    pub method: MkDerivationArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// KCV method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KcvMethodArg {
    /// Encrypt a zero block.
    EncryptZeros,
    /// AES-CMAC of a zero block (AES keys).
    Cmac,
}

/// `tapcert token kcv`.
#[derive(Debug, Args)]
// "-1" is a value (then refused by its range, naming the flag), not an unknown flag.
#[command(allow_negative_numbers = true)]
pub struct KcvArgs {
    /// Key (hex).
    #[arg(long)]
    pub key: String,
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "tdes")]
    pub alg: KeyAlgArg,
    /// Method.
    #[arg(long, value_enum, default_value = "encrypt-zeros")]
    pub method: KcvMethodArg,
    /// Bytes of KCV to show, 1-8 for encrypt-zeros, 1-16 for cmac (default 3; 5 for cmac).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub len: Option<u8>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Keys and data are read like `tapcert decode` input: spaces, colons and `0x` allowed; no
/// key, data or secret is empty.
fn hex_arg(name: &str, s: &str) -> Result<Vec<u8>> {
    let v = crate::hex_arg::parse_hex_arg(&format!("--{name}"), s)?;
    if v.is_empty() && name != "prop" {
        bail!("--{name}: empty; expected hex bytes");
    }
    Ok(v)
}

/// An error about the value of `--{flag}` (a key of the wrong length, say), naming the flag.
fn flag_error(flag: &str, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("--{flag}: {e}")
}

/// `--name` of `cpm-qr`: the cardholder name 5F20, ans 2-26 (EMV Book 3 Annex A).
fn cardholder_name(s: &str) -> std::result::Result<String, String> {
    if !(2..=26).contains(&s.len()) || !s.bytes().all(|b| (0x20..=0x7E).contains(&b)) {
        return Err(format!(
            "expected 2 to 26 printable ASCII characters (EMV 5F20, ans 2-26), got {} characters",
            s.chars().count()
        ));
    }
    Ok(s.to_owned())
}

fn hex_fixed<const N: usize>(name: &str, s: &str) -> Result<[u8; N]> {
    let v = hex_arg(name, s)?;
    let n = v.len();
    v.try_into().map_err(|_| anyhow::anyhow!("--{name}: expected {N} bytes, got {n}"))
}

fn up(b: impl AsRef<[u8]>) -> String {
    hex::encode_upper(b)
}

fn emit(json_out: bool, fields: Vec<(&str, Value)>) -> Result<ExitCode> {
    let mut out = crate::out::Stdout::new();
    if json_out {
        let map: Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        out.line(Value::Object(map))?;
    } else {
        for (k, v) in fields {
            match v {
                Value::String(s) => out.line(format_args!("{k}: {s}"))?,
                other => out.line(format_args!("{k}: {other}"))?,
            }
        }
    }
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

fn derive_tdes_mk(imk: &[u8], pan: &str, psn: u8, method: MkDerivationArg) -> Result<[u8; 16]> {
    let imk = Tdes::new(imk).map_err(|e| flag_error("imk", e))?;
    Ok(match method {
        MkDerivationArg::OptionA => derive_icc_mk_option_a(&imk, pan, psn)?,
        MkDerivationArg::OptionB => derive_icc_mk_option_b(&imk, pan, psn)?,
        MkDerivationArg::OptionC => {
            bail!("--mk-derivation: option-c is the AES derivation; this token takes a TDES IMK (option-a or option-b)")
        }
    })
}

fn run_arqc(a: &ArqcArgs) -> Result<ExitCode> {
    let imk = hex_arg("imk", &a.imk)?;
    let atc: [u8; 2] = hex_fixed("atc", &a.atc)?;
    let data = hex_arg("data", &a.data)?;
    let (mk, sk, arqc) = match a.mac {
        MacArg::Retail => {
            let method = a.mk_derivation.unwrap_or(MkDerivationArg::OptionA);
            let mk = derive_tdes_mk(&imk, &a.pan, a.psn, method)?;
            let mk_sched = Tdes::new(&mk)?;
            let sk = match a.session {
                SessionArg::EmvCsk => derive_session_key_emv_csk(&mk_sched, emv_csk_r(atc)),
                SessionArg::MastercardSkd => {
                    let un: [u8; 4] = hex_fixed("un", a.un.as_deref().context("--un is required for mastercard-skd")?)?;
                    derive_session_key_emv_csk(&mk_sched, mastercard_skd_r(atc, un))
                }
                SessionArg::None => mk,
            };
            let padding = if a.padding == 1 { Padding::Method1 } else { Padding::Method2 };
            let arqc = generate_ac_tdes(&Tdes::new(&sk)?, &data, padding);
            (mk.to_vec(), sk.to_vec(), arqc)
        }
        MacArg::Cmac => {
            if !matches!(a.mk_derivation, None | Some(MkDerivationArg::OptionC)) {
                bail!("--mac cmac uses AES keys: --mk-derivation option-c");
            }
            let mk = derive_icc_mk_option_c(&Aes::new(&imk).map_err(|e| flag_error("imk", e))?, &a.pan, a.psn)?;
            let sk = match a.session {
                SessionArg::EmvCsk => derive_session_key_emv_csk_aes(&Aes::new(&mk)?, emv_csk_r_aes(atc)),
                SessionArg::None => mk.clone(),
                SessionArg::MastercardSkd => bail!("mastercard-skd is a TDES derivation"),
            };
            let arqc = generate_ac_aes(&AesCmac::new(&sk)?, &data);
            (mk, sk, arqc)
        }
    };
    emit(a.json, vec![("icc_master_key", json!(up(&mk))), ("session_key", json!(up(&sk))), ("arqc", json!(up(arqc)))])
}

fn run_arpc(a: &ArpcArgs) -> Result<ExitCode> {
    let key = hex_arg("key", &a.key)?;
    let arqc: [u8; 8] = hex_fixed("arqc", &a.arqc)?;
    let arpc = match (a.method, a.mac) {
        (1, mac) => {
            let arc: [u8; 2] = hex_fixed("arc", a.arc.as_deref().context("--arc is required for method 1")?)?;
            match mac {
                MacArg::Retail => {
                    generate_arpc_method1(&Tdes::new(&key).map_err(|e| flag_error("key", e))?, arqc, arc).to_vec()
                }
                MacArg::Cmac => {
                    generate_arpc_method1_aes(&Aes::new(&key).map_err(|e| flag_error("key", e))?, arqc, arc).to_vec()
                }
            }
        }
        (2, mac) => {
            let csu: [u8; 4] = hex_fixed("csu", a.csu.as_deref().context("--csu is required for method 2")?)?;
            let prop = hex_arg("prop", &a.prop)?;
            if prop.len() > 8 {
                bail!("--prop: at most 8 bytes, got {}", prop.len());
            }
            match mac {
                MacArg::Retail => {
                    generate_arpc_method2(&Tdes::new(&key).map_err(|e| flag_error("key", e))?, arqc, csu, &prop)
                        .to_vec()
                }
                MacArg::Cmac => {
                    generate_arpc_method2_aes(&AesCmac::new(&key).map_err(|e| flag_error("key", e))?, arqc, csu, &prop)
                        .to_vec()
                }
            }
        }
        (m, _) => bail!("--method: 1 or 2, got {m}"),
    };
    emit(a.json, vec![("arpc", json!(up(arpc)))])
}

fn run_cvc3(a: &Cvc3Args) -> Result<ExitCode> {
    let kd = derive_tdes_mk(&hex_arg("imk", &a.imk)?, &a.pan, a.psn, a.mk_derivation)?;
    let track = match (&a.track2, &a.track1) {
        (Some(t2), None) => hex_arg("track2", t2)?,
        (None, Some(t1)) if t1.is_empty() => bail!("--track1: empty; expected the track 1 data template as text"),
        (None, Some(t1)) => t1.as_bytes().to_vec(),
        _ => bail!("give exactly one of --track2 or --track1"),
    };
    let kd_sched = Tdes::new(&kd)?;
    let iv = generate_ivcvc3(&kd_sched, &track);
    let cvc3 = generate_cvc3(&kd_sched, iv, hex_fixed("un", &a.un)?, hex_fixed("atc", &a.atc)?);
    emit(a.json, vec![("kd_cvc3", json!(up(kd))), ("ivcvc3", json!(up(iv))), ("cvc3", json!(format_cvc3(cvc3, 5)))])
}

fn run_dcvv(a: &DcvvArgs) -> Result<ExitCode> {
    let imk = Tdes::new(&hex_arg("imk", &a.imk)?).map_err(|e| flag_error("imk", e))?;
    let method = match a.mk_derivation {
        MkDerivationArg::OptionA => IccMkDerivation::OptionA,
        MkDerivationArg::OptionB => IccMkDerivation::OptionB,
        MkDerivationArg::OptionC => bail!("dCVV is a TDES algorithm"),
    };
    let dcvv = generate_dcvv(&imk, &a.pan, &a.expiry, &a.service_code, hex_fixed("atc", &a.atc)?, method)?;
    emit(a.json, vec![("dcvv", json!(dcvv))])
}

fn run_cpm(a: &CpmQrArgs) -> Result<ExitCode> {
    let cvn: Cvn = a.cvn.into();
    let imk = Tdes::new(&hex_arg("imk", &a.imk)?).map_err(|e| flag_error("imk", e))?;
    let card = CpmCard {
        aid: hex_arg("aid", &a.aid)?,
        label: a.label.clone(),
        pan: a.pan.clone(),
        cardholder_name: a.name.clone(),
        language_preference: None,
        icc_mk: cvn.derive_icc_mk(&imk, &a.pan, a.psn)?,
        cvn,
        iad: hex_arg("iad", &a.iad)?,
    };
    let data = AcData::from_bytes(&hex_arg("data", &a.data)?)?;
    let token = generate_cpm_token(&card, &data)?;
    emit(a.json, vec![("qr", json!(token.qr)), ("arqc", json!(up(token.cryptogram)))])
}

fn run_session_key(a: &SessionKeyArgs) -> Result<ExitCode> {
    let mk = hex_arg("mk", &a.mk)?;
    let atc = a.atc.as_deref().map(|s| hex_fixed::<2>("atc", s)).transpose()?;
    let need_atc = || atc.context("--atc is required");
    let sk = match (a.alg, a.method) {
        (KeyAlgArg::Tdes, SessionMethodArg::EmvCsk) => {
            let r = match &a.r {
                Some(r) => hex_fixed::<8>("r", r)?,
                None => emv_csk_r(need_atc()?),
            };
            derive_session_key_emv_csk(&Tdes::new(&mk).map_err(|e| flag_error("mk", e))?, r).to_vec()
        }
        (KeyAlgArg::Tdes, SessionMethodArg::MastercardSkd) => {
            let un = hex_fixed::<4>("un", a.un.as_deref().context("--un is required for mastercard-skd")?)?;
            derive_session_key_emv_csk(
                &Tdes::new(&mk).map_err(|e| flag_error("mk", e))?,
                mastercard_skd_r(need_atc()?, un),
            )
            .to_vec()
        }
        (KeyAlgArg::Tdes, SessionMethodArg::VisaSm) => {
            let mk: [u8; 16] = mk.try_into().map_err(|_| anyhow::anyhow!("--mk: visa-sm needs a 16-byte key"))?;
            derive_session_key_visa_sm(&mk, need_atc()?).to_vec()
        }
        (KeyAlgArg::Tdes, SessionMethodArg::Emv2000Tree) => {
            let mk: [u8; 16] = mk.try_into().map_err(|_| anyhow::anyhow!("--mk: emv2000-tree needs a 16-byte key"))?;
            let iv = hex_fixed::<16>("iv", &a.iv)?;
            derive_session_key_emv2000_tree(&mk, need_atc()?, a.height, a.branch, &iv)?.to_vec()
        }
        (KeyAlgArg::Aes, SessionMethodArg::EmvCsk) => {
            let r = match &a.r {
                Some(r) => hex_fixed::<16>("r", r)?,
                None => emv_csk_r_aes(need_atc()?),
            };
            derive_session_key_emv_csk_aes(&Aes::new(&mk).map_err(|e| flag_error("mk", e))?, r)
        }
        (KeyAlgArg::Aes, _) => bail!("only emv-csk is defined for AES keys"),
    };
    emit(a.json, vec![("session_key", json!(up(sk)))])
}

fn run_icc_mk(a: &IccMkArgs) -> Result<ExitCode> {
    let imk = hex_arg("imk", &a.imk)?;
    let (mk, kcv) = match a.method {
        MkDerivationArg::OptionC => {
            let mk = derive_icc_mk_option_c(&Aes::new(&imk).map_err(|e| flag_error("imk", e))?, &a.pan, a.psn)?;
            let kcv = key_check_value(&mk, KeyAlgorithm::Aes, KcvMethod::CmacZeros)?;
            (mk, kcv[..5].to_vec())
        }
        m => {
            let mk = derive_tdes_mk(&imk, &a.pan, a.psn, m)?;
            let kcv = key_check_value(&mk, KeyAlgorithm::Tdes, KcvMethod::EncryptZeros)?;
            (mk.to_vec(), kcv[..3].to_vec())
        }
    };
    emit(a.json, vec![("icc_master_key", json!(up(mk))), ("kcv", json!(up(kcv)))])
}

fn run_kcv(a: &KcvArgs) -> Result<ExitCode> {
    let key = hex_arg("key", &a.key)?;
    let alg = match a.alg {
        KeyAlgArg::Tdes => KeyAlgorithm::Tdes,
        KeyAlgArg::Aes => KeyAlgorithm::Aes,
    };
    let (method, default_len) = match a.method {
        KcvMethodArg::EncryptZeros => (KcvMethod::EncryptZeros, 3),
        KcvMethodArg::Cmac => (KcvMethod::CmacZeros, 5),
    };
    let kcv = key_check_value(&key, alg, method).map_err(|e| anyhow::anyhow!("--key: {e}"))?;
    let len = a.len.map_or(default_len, usize::from);
    if len > kcv.len() {
        bail!("--len: this method gives a {}-byte check value, got --len {len}", kcv.len());
    }
    emit(a.json, vec![("kcv", json!(up(&kcv[..len])))])
}

/// Runs `tapcert token`.
pub fn run(args: &TokenArgs) -> Result<ExitCode> {
    match &args.kind {
        TokenKind::Arqc(a) => run_arqc(a),
        TokenKind::Arpc(a) => run_arpc(a),
        TokenKind::Cvc3(a) => run_cvc3(a),
        TokenKind::Dcvv(a) => run_dcvv(a),
        TokenKind::Hotp(a) => {
            let code = hotp(&HmacKey::new(a.algo.into(), &hex_arg("secret", &a.secret)?), a.counter, a.digits)?;
            emit(a.json, vec![("code", json!(code))])
        }
        TokenKind::Totp(a) => {
            if a.t0 > a.time {
                bail!("--t0: the start time {} is later than --time {}; expected --t0 <= --time", a.t0, a.time);
            }
            let totp =
                tapcert_crypto::Totp::new(a.algo.into(), &hex_arg("secret", &a.secret)?, a.digits, a.step, a.t0)?;
            emit(a.json, vec![("code", json!(totp.generate(a.time)))])
        }
        TokenKind::CpmQr(a) => run_cpm(a),
        TokenKind::SessionKey(a) => run_session_key(a),
        TokenKind::IccMk(a) => run_icc_mk(a),
        TokenKind::Kcv(a) => run_kcv(a),
    }
}
