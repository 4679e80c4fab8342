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

/// Slice-by-16 tables: `TABLES[k][b]` is the CRC register after byte `b` and `k` zero bytes,
/// starting from a zero register. Sixteen independent lookups per 16 input bytes instead of a
/// chain of sixteen dependent ones.
const TABLES: [[u16; 256]; 16] = {
    let mut tables = [[0u16; 256]; 16];
    tables[0] = TABLE;
    let mut k = 1;
    while k < 16 {
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
    let mut chunks = bytes.chunks_exact(16);
    for c in &mut chunks {
        // The 16-bit register folds into the first two bytes; each byte then contributes its
        // table entry for the number of bytes that follow it in the chunk.
        let [hi, lo] = crc.to_be_bytes();
        let mut acc = TABLES[15][usize::from(c[0] ^ hi)] ^ TABLES[14][usize::from(c[1] ^ lo)];
        for (i, &b) in c.iter().enumerate().skip(2) {
            acc ^= TABLES[15 - i][usize::from(b)];
        }
        crc = acc;
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
