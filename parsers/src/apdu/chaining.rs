//! Command chaining (ISO/IEC 7816-4 §5.1.1.1): a command too long for one short APDU is sent
//! as several, each but the last with the chaining bit (b5 of CLA) set. Every command of the
//! chain repeats INS P1 P2; only the last may carry Le.

use super::ApduError;
use super::class::Cla;
use super::command::{CommandApdu, CommandApduBuf};

/// Splits `apdu` into chained short commands of at most `chunk` data bytes each.
///
/// A command whose data fits one chunk comes back as a single command. The last command
/// carries `apdu.ne`, which must fit a short Le (at most 256).
///
/// ```
/// use tapcert_parsers::apdu::{join_command_chain, split_command_chain, Cla, CommandApdu, CommandApduBuf, Ins};
/// let long = CommandApduBuf::new(Cla(0x80), Ins::PUT_DATA, 0x00, 0x70).with_data(vec![0xAB; 300]);
/// let parts = split_command_chain(&long, 255).unwrap();
/// assert_eq!(parts.len(), 2);
/// assert_eq!((parts[0].cla, parts[0].data.len()), (Cla(0x90), 255));
/// assert_eq!((parts[1].cla, parts[1].data.len()), (Cla(0x80), 45));
/// let wire: Vec<Vec<u8>> = parts.iter().map(|p| p.encode().unwrap()).collect();
/// let views: Vec<CommandApdu<'_>> = wire.iter().map(|w| CommandApdu::from_bytes(w).unwrap()).collect();
/// assert_eq!(join_command_chain(&views).unwrap(), long);
/// ```
pub fn split_command_chain(apdu: &CommandApduBuf, chunk: usize) -> Result<Vec<CommandApduBuf>, ApduError> {
    if !(1..=255).contains(&chunk) {
        return Err(ApduError::ChunkSizeOutOfRange { size: chunk });
    }
    if !apdu.cla.supports_chaining() {
        return Err(ApduError::ChainingNotSupported { cla: apdu.cla.0 });
    }
    if apdu.cla.is_chaining() {
        return Err(ApduError::ChainingBitAlreadySet { cla: apdu.cla.0 });
    }
    if apdu.data.len() > 65535 {
        return Err(ApduError::DataTooLong { nc: apdu.data.len() });
    }
    match apdu.ne {
        Some(ne) if ne == 0 || ne > 65536 => return Err(ApduError::NeOutOfRange { ne }),
        Some(ne) if ne > 256 => return Err(ApduError::ChainNeTooLarge { ne }),
        _ => {}
    }
    if apdu.data.len() <= chunk {
        return Ok(vec![CommandApduBuf { extended: false, ..apdu.clone() }]);
    }
    let count = apdu.data.len().div_ceil(chunk);
    let parts = apdu
        .data
        .chunks(chunk)
        .enumerate()
        .map(|(i, data)| {
            let last = i + 1 == count;
            CommandApduBuf {
                cla: apdu.cla.with_chaining(!last),
                ins: apdu.ins,
                p1: apdu.p1,
                p2: apdu.p2,
                data: data.to_vec(),
                ne: if last { apdu.ne } else { None },
                extended: false,
            }
        })
        .collect();
    Ok(parts)
}

/// Joins a received chain back into one command (CLA without the chaining bit, the data
/// concatenated, Ne of the last command), checking that the chain is consistent.
pub fn join_command_chain(parts: &[CommandApdu<'_>]) -> Result<CommandApduBuf, ApduError> {
    let Some((last_index, first)) = parts.len().checked_sub(1).zip(parts.first()) else {
        return Err(ApduError::EmptyChain);
    };
    let base_cla = first.cla().with_chaining(false);
    let mut data = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let checks = [
            ("CLA", base_cla.0, part.cla().with_chaining(false).0),
            ("INS", first.ins().0, part.ins().0),
            ("P1", first.p1(), part.p1()),
            ("P2", first.p2(), part.p2()),
        ];
        if let Some((field, expected, found)) = checks.into_iter().find(|(_, e, f)| e != f) {
            return Err(ApduError::ChainFieldMismatch { index, field, expected, found });
        }
        let is_last = index == last_index;
        if !is_last && !part.cla().is_chaining() {
            return Err(ApduError::ChainBitMissing { index });
        }
        if is_last && part.cla().is_chaining() {
            return Err(ApduError::ChainUnterminated { index });
        }
        if !is_last && part.ne().is_some() {
            return Err(ApduError::ChainLeBeforeLast { index });
        }
        if data.len() + part.nc() > 65535 {
            return Err(ApduError::DataTooLong { nc: data.len() + part.nc() });
        }
        data.extend_from_slice(part.data());
    }
    let last = &parts[last_index];
    Ok(CommandApduBuf {
        cla: Cla(base_cla.0),
        ins: first.ins(),
        p1: first.p1(),
        p2: first.p2(),
        data,
        ne: last.ne(),
        extended: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::Ins;

    fn views(wire: &[Vec<u8>]) -> Vec<CommandApdu<'_>> {
        wire.iter().map(|w| CommandApdu::from_bytes(w).unwrap()).collect()
    }

    #[test]
    fn split_rejections() {
        let a = CommandApduBuf::new(Cla(0x00), Ins::PUT_DATA, 0, 0).with_data(vec![1; 10]);
        assert_eq!(split_command_chain(&a, 0), Err(ApduError::ChunkSizeOutOfRange { size: 0 }));
        assert_eq!(split_command_chain(&a, 256), Err(ApduError::ChunkSizeOutOfRange { size: 256 }));
        let ff = CommandApduBuf { cla: Cla(0xFF), ..a.clone() };
        assert_eq!(split_command_chain(&ff, 4), Err(ApduError::ChainingNotSupported { cla: 0xFF }));
        let chained = CommandApduBuf { cla: Cla(0x10), ..a.clone() };
        assert_eq!(split_command_chain(&chained, 4), Err(ApduError::ChainingBitAlreadySet { cla: 0x10 }));
        assert_eq!(split_command_chain(&a.clone().with_ne(257), 4), Err(ApduError::ChainNeTooLarge { ne: 257 }));
        assert_eq!(split_command_chain(&a, 4).unwrap().len(), 3);
    }

    #[test]
    fn join_rejections() {
        assert_eq!(join_command_chain(&[]), Err(ApduError::EmptyChain));
        let wire = vec![vec![0x10, 0xDA, 0, 0, 1, 0xAA], vec![0x00, 0xDA, 0, 1, 1, 0xBB]];
        assert_eq!(
            join_command_chain(&views(&wire)),
            Err(ApduError::ChainFieldMismatch { index: 1, field: "P2", expected: 0, found: 1 })
        );
        let wire = vec![vec![0x00, 0xDA, 0, 0, 1, 0xAA], vec![0x00, 0xDA, 0, 0, 1, 0xBB]];
        assert_eq!(join_command_chain(&views(&wire)), Err(ApduError::ChainBitMissing { index: 0 }));
        let wire = vec![vec![0x10, 0xDA, 0, 0, 1, 0xAA], vec![0x10, 0xDA, 0, 0, 1, 0xBB]];
        assert_eq!(join_command_chain(&views(&wire)), Err(ApduError::ChainUnterminated { index: 1 }));
        let wire = vec![vec![0x10, 0xDA, 0, 0, 1, 0xAA, 0x00], vec![0x00, 0xDA, 0, 0, 1, 0xBB]];
        assert_eq!(join_command_chain(&views(&wire)), Err(ApduError::ChainLeBeforeLast { index: 0 }));
        let wire = vec![vec![0x10, 0xDA, 0, 0, 1, 0xAA], vec![0x01, 0xDA, 0, 0, 1, 0xBB]];
        assert_eq!(
            join_command_chain(&views(&wire)),
            Err(ApduError::ChainFieldMismatch { index: 1, field: "CLA", expected: 0, found: 1 })
        );
        let wire = vec![vec![0x10, 0xDA, 0, 0, 1, 0xAA], vec![0x00, 0xDA, 0, 0, 1, 0xBB, 0x10]];
        let joined = join_command_chain(&views(&wire)).unwrap();
        assert_eq!((joined.data, joined.ne), (vec![0xAA, 0xBB], Some(16)));
    }
}
