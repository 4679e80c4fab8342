//! CRC-16/CCITT-FALSE as EMVCo QRCPS MPM §4.7.3 uses it: polynomial `0x1021`, initial value
//! `0xFFFF`, no reflection, no final XOR, over the UTF-8 bytes of the payload from its first
//! character up to and including the `6304` of the CRC object. Check value: `29B1` for
//! `"123456789"` (the catalogue entry CRC-16/IBM-3740, a.k.a. CCITT-FALSE).

const POLY: u16 = 0x1021;

/// Byte-at-a-time table, built at compile time.
const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ POLY } else { crc << 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// Slice-by-8 tables: `TABLES[k][b]` is the CRC register after byte `b` and `k` zero bytes,
/// starting from a zero register. Eight independent lookups per 8 input bytes instead of a
/// chain of eight dependent ones.
const TABLES: [[u16; 256]; 8] = {
    let mut tables = [[0u16; 256]; 8];
    tables[0] = TABLE;
    let mut k = 1;
    while k < 8 {
        let mut b = 0;
        while b < 256 {
            let c = tables[k - 1][b];
            tables[k][b] = (c << 8) ^ TABLE[(c >> 8) as usize];
            b += 1;
        }
        k += 1;
    }
    tables
};

/// CRC-16/CCITT-FALSE of `bytes`.
///
/// ```
/// use tapcert_parsers::qr::crc16_ccitt_false;
/// assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
/// assert_eq!(crc16_ccitt_false(b""), 0xFFFF);
/// ```
pub fn crc16_ccitt_false(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        // The 16-bit register folds into the first two bytes; each byte then contributes its
        // table entry for the number of bytes that follow it in the chunk.
        let [hi, lo] = crc.to_be_bytes();
        crc = TABLES[7][usize::from(c[0] ^ hi)]
            ^ TABLES[6][usize::from(c[1] ^ lo)]
            ^ TABLES[5][usize::from(c[2])]
            ^ TABLES[4][usize::from(c[3])]
            ^ TABLES[3][usize::from(c[4])]
            ^ TABLES[2][usize::from(c[5])]
            ^ TABLES[1][usize::from(c[6])]
            ^ TABLES[0][usize::from(c[7])];
    }
    chunks.remainder().iter().fold(crc, |crc, &b| (crc << 8) ^ TABLE[usize::from((crc >> 8) as u8 ^ b)])
}

/// The CRC as EMVCo writes it in ID 63: four upper-case hex digits.
pub fn crc_hex(crc: u16) -> String {
    format!("{crc:04X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bitwise(bytes: &[u8]) -> u16 {
        let mut crc = 0xFFFFu16;
        for &b in bytes {
            crc ^= u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 { (crc << 1) ^ POLY } else { crc << 1 };
            }
        }
        crc
    }

    #[test]
    fn check_value_and_table_agree_with_bitwise() {
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
        let data: Vec<u8> = (0..=255u8).chain("最佳运输".bytes()).collect();
        // Every length exercises a different split between 8-byte chunks and the remainder.
        for len in 0..data.len() {
            assert_eq!(crc16_ccitt_false(&data[..len]), bitwise(&data[..len]), "length {len}");
        }
        assert_eq!(crc_hex(0x0A3F), "0A3F");
    }
}
