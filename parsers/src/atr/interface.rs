//! Meaning of the interface bytes (ISO/IEC 7816-3 §8.3, §10.2, §11.4).
//!
//! ```text
//! TA1   FI (b8-b5) | DI (b4-b1): clock rate conversion Fi, f(max), baud rate adjustment Di
//! TB1   deprecated (VPP/IPP)                TC1  N, extra guard time (FF: minimum)
//! TA2   specific mode: b8 unable to change, b5 implicit parameters, b4-b1 protocol T
//! TC2   T=0: WI, waiting time integer
//! after a TD with T=1:  first TA = IFSC, first TB = BWI (b8-b5) | CWI (b4-b1),
//!                       first TC b1 = error detection code (0 LRC, 1 CRC)
//! after a TD with T=15: first TA = clock stop X (b8-b7) | class indicator Y (b6-b1),
//!                       first TB = SPU
//! ```

use super::answer::Atr;

/// TA1 decoded (ISO/IEC 7816-3 Tables 7 and 8). `None` fields are RFU codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockRate {
    /// FI, the high nibble.
    pub fi_code: u8,
    /// Fi, the clock rate conversion integer.
    pub fi: Option<u16>,
    /// f(max) in kHz.
    pub f_max_khz: Option<u32>,
    /// DI, the low nibble.
    pub di_code: u8,
    /// Di, the baud rate adjustment integer.
    pub di: Option<u8>,
}

impl ClockRate {
    /// Decodes a TA1 byte.
    pub fn from_ta1(ta1: u8) -> Self {
        let fi_code = ta1 >> 4;
        let di_code = ta1 & 0x0F;
        let (fi, f_max_khz) = match fi_code {
            0x0 => (Some(372), Some(4_000)),
            0x1 => (Some(372), Some(5_000)),
            0x2 => (Some(558), Some(6_000)),
            0x3 => (Some(744), Some(8_000)),
            0x4 => (Some(1116), Some(12_000)),
            0x5 => (Some(1488), Some(16_000)),
            0x6 => (Some(1860), Some(20_000)),
            0x9 => (Some(512), Some(5_000)),
            0xA => (Some(768), Some(7_500)),
            0xB => (Some(1024), Some(10_000)),
            0xC => (Some(1536), Some(15_000)),
            0xD => (Some(2048), Some(20_000)),
            _ => (None, None),
        };
        let di = match di_code {
            0x1 => Some(1),
            0x2 => Some(2),
            0x3 => Some(4),
            0x4 => Some(8),
            0x5 => Some(16),
            0x6 => Some(32),
            0x7 => Some(64),
            0x8 => Some(12),
            0x9 => Some(20),
            _ => None,
        };
        ClockRate { fi_code, fi, f_max_khz, di_code, di }
    }

    /// The default when TA1 is absent: Fi = 372, f(max) = 5 MHz, Di = 1.
    pub fn default_values() -> Self {
        ClockRate::from_ta1(0x11)
    }
}

/// TA2 decoded: the card is in the specific mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecificMode {
    /// The protocol of the specific mode.
    pub protocol: u8,
    /// b8 = 0: the card can change to the negotiable mode (after a warm reset).
    pub can_change: bool,
    /// b5 = 1: transmission parameters are implicit, not those of TA1.
    pub implicit_parameters: bool,
}

/// T=1 error detection code (first TCi after a TD with T=1, bit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorDetection {
    /// Longitudinal redundancy check (the default).
    Lrc,
    /// Cyclic redundancy check.
    Crc,
}

/// The T=1 parameters the ATR states (`None`: absent, the default applies: IFSC 32, BWI 4,
/// CWI 13, LRC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct T1Parameters {
    /// Information field size for the card (00 and FF are invalid).
    pub ifsc: Option<u8>,
    /// Block waiting time integer.
    pub bwi: Option<u8>,
    /// Character waiting time integer.
    pub cwi: Option<u8>,
    /// Error detection code.
    pub error_detection: Option<ErrorDetection>,
}

/// The global bytes after a TD with T=15.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GlobalT15 {
    /// Clock stop indicator X (b8-b7 of the first TA): 0 not supported, 1 state L, 2 state H,
    /// 3 no preference.
    pub clock_stop: Option<u8>,
    /// Class indicator Y (b6-b1 of the first TA): bit 1 class A (5 V), bit 2 class B (3 V),
    /// bit 3 class C (1.8 V).
    pub classes: Option<u8>,
    /// SPU, standard or proprietary use contact (first TB).
    pub spu: Option<u8>,
}

impl Atr<'_> {
    /// TA1 decoded, when present.
    pub fn clock_rate(&self) -> Option<ClockRate> {
        self.group(1).and_then(|g| g.ta).map(ClockRate::from_ta1)
    }

    /// TC1: N, the extra guard time integer.
    pub fn extra_guard_time(&self) -> Option<u8> {
        self.group(1).and_then(|g| g.tc)
    }

    /// TA2, when present: the card is in the specific mode.
    pub fn specific_mode(&self) -> Option<SpecificMode> {
        self.group(2).and_then(|g| g.ta).map(|ta2| SpecificMode {
            protocol: ta2 & 0x0F,
            can_change: ta2 & 0x80 == 0,
            implicit_parameters: ta2 & 0x10 != 0,
        })
    }

    /// TC2: the T=0 waiting time integer WI (default 10 when absent).
    pub fn t0_waiting_integer(&self) -> Option<u8> {
        self.group(2).and_then(|g| g.tc)
    }

    /// The groups that follow a TD indicating protocol `t` (group numbers i >= 2).
    fn groups_for(&self, t: u8) -> impl Iterator<Item = &super::InterfaceGroup> {
        self.groups.windows(2).filter(move |w| w[0].td == Some(t)).map(|w| &w[1])
    }

    /// The T=1 parameters (the first TA/TB/TC in the groups for T=1, from i = 3 on).
    pub fn t1_parameters(&self) -> Option<T1Parameters> {
        if !self.protocols().contains(&1) {
            return None;
        }
        // TD1 indicating T=1 introduces group 2, whose TA2/TB2/TC2 keep their global meaning:
        // the T=1 bytes start at i = 3 (window index >= 1).
        let mut params = T1Parameters::default();
        for (index, g) in self.groups.windows(2).enumerate() {
            if g[0].td != Some(1) || index == 0 {
                continue;
            }
            let g = g[1];
            params.ifsc = params.ifsc.or(g.ta);
            if params.bwi.is_none() {
                if let Some(tb) = g.tb {
                    params.bwi = Some(tb >> 4);
                    params.cwi = Some(tb & 0x0F);
                }
            }
            if params.error_detection.is_none() {
                params.error_detection =
                    g.tc.map(|tc| if tc & 1 == 0 { ErrorDetection::Lrc } else { ErrorDetection::Crc });
            }
        }
        Some(params)
    }

    /// The global bytes of T=15, when a TD indicates it.
    pub fn global_t15(&self) -> Option<GlobalT15> {
        let mut out = GlobalT15::default();
        let mut found = false;
        for g in self.groups_for(15) {
            found = true;
            if out.clock_stop.is_none() {
                if let Some(ta) = g.ta {
                    out.clock_stop = Some(ta >> 6);
                    out.classes = Some(ta & 0x3F);
                }
            }
            out.spu = out.spu.or(g.tb);
        }
        found.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ta1_tables() {
        let r = ClockRate::from_ta1(0x96);
        assert_eq!((r.fi, r.f_max_khz, r.di), (Some(512), Some(5_000), Some(32)));
        let r = ClockRate::from_ta1(0x7F);
        assert_eq!((r.fi, r.di), (None, None));
        assert_eq!(ClockRate::default_values().fi, Some(372));
    }

    #[test]
    fn t1_parameters_from_group_3() {
        // JC30M48CR (smartcard_list.txt): 3B 90 95 80 11 FE 6A, TA3 = FE (IFSC 254)
        let atr = Atr::from_bytes(&[0x3B, 0x90, 0x95, 0x80, 0x11, 0xFE, 0x6A]).unwrap();
        assert_eq!(atr.protocols(), [0, 1]);
        let p = atr.t1_parameters().unwrap();
        assert_eq!((p.ifsc, p.bwi, p.error_detection), (Some(0xFE), None, None));
        assert_eq!(atr.clock_rate().unwrap().di, Some(16));
    }
}
