//! Batch APIs give the same results as the one-at-a-time functions, serial and parallel.
use tapcert_crypto::*;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// A fixed-seed byte source (64-bit LCG, high bits) for reproducible random jobs.
fn bytes(mut seed: u64) -> impl FnMut() -> u8 {
    move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 24) as u8
    }
}

#[test]
fn batches_equal_single_calls() {
    // crypto-vectors.md 5c: K10 / CDOL33 -> 73024BD8950ADE28 at ATC 001C
    let cdol = h("0000000040000000000000000124800004800001241911050152BF45851800001C");
    let mk = Tdes::new(&h("154F349D8585CB7F6B0798E9839B10C1")).unwrap();
    assert_eq!(hex::encode_upper(generate_arqc_tdes_csk(&mk, [0x00, 0x1C], &cdol)), "73024BD8950ADE28");
    let aes = Aes::new(&h("8E49BA842F0379C92E571DB7CA1AED90")).unwrap();
    assert_eq!(hex::encode_upper(generate_arqc_aes_csk(&aes, [0x00, 0x1C], &cdol).unwrap()), "D73515F3AC0F0E03");

    // varying lengths so the interleaved pair path meets unequal block counts
    let datas: Vec<Vec<u8>> = (0..1001u32).map(|i| [&cdol[..(i % 34) as usize], &i.to_be_bytes()].concat()).collect();
    let jobs: Vec<ArqcJob<'_>> =
        datas.iter().enumerate().map(|(i, d)| ArqcJob { atc: (i as u16).to_be_bytes(), data: d }).collect();
    for parallel in [false, true] {
        let t = batch_arqc_tdes_csk(&mk, &jobs, parallel);
        let a = batch_arqc_aes_csk(&aes, &jobs, parallel);
        assert_eq!(t.len(), 1001);
        for (i, j) in jobs.iter().enumerate() {
            assert_eq!(t[i], generate_arqc_tdes_csk(&mk, j.atc, j.data));
            assert_eq!(a[i], generate_arqc_aes_csk(&aes, j.atc, j.data).unwrap());
        }
        assert_ne!(t[0], t[1]);
        let (x, y) = generate_arqc_tdes_csk_x2(&mk, &jobs[7], &jobs[30]);
        // the published vector through the bitsliced path: 64 copies, every lane gives it
        let same: Vec<ArqcJob<'_>> = vec![ArqcJob { atc: [0x00, 0x1C], data: &cdol }; 64];
        for arqc in batch_arqc_tdes_csk(&mk, &same, parallel) {
            assert_eq!(hex::encode_upper(arqc), "73024BD8950ADE28");
        }
        assert_eq!((x, y), (t[7], t[30]));
        let inputs: Vec<([u8; 4], [u8; 2])> = (0..1000u32).map(|i| (i.to_be_bytes(), [0, (i % 256) as u8])).collect();
        let c = batch_cvc3(&mk, [0xCD, 0x76], &inputs, parallel);
        for (i, (un, atc)) in inputs.iter().enumerate() {
            assert_eq!(c[i], generate_cvc3(&mk, [0xCD, 0x76], *un, *atc));
        }
        let totp = Totp::rfc6238(HmacAlgorithm::Sha1, b"12345678901234567890", 8).unwrap();
        let times: Vec<u64> = (0..1000).map(|i| 59 + 30 * i).collect();
        let v = batch_totp(&totp, &times, parallel);
        assert_eq!(v[0], 94287082);
        for (i, t) in times.iter().enumerate() {
            assert_eq!(format!("{:08}", v[i]), totp.generate(*t));
        }
    }
}

/// Every 64 jobs of one padded length take the bitsliced path: it must agree with the single
/// call for every lane, for two- and three-key ICC MKs, with a short tail and one job whose
/// length differs from all others (grouped apart, results still in input order).
#[test]
fn bitsliced_runs_equal_single_calls() {
    let mut next = bytes(0x5EED_u64);
    for mk_len in [16usize, 24] {
        let mk = Tdes::new(&(0..mk_len).map(|_| next()).collect::<Vec<u8>>()).unwrap();
        for len in [0usize, 7, 8, 33, 40] {
            let mut datas: Vec<Vec<u8>> = (0..64 * 3 + 5).map(|_| (0..len).map(|_| next()).collect()).collect();
            // one job one block longer than the rest
            datas[64 + 17].extend([0xAA; 8]);
            let jobs: Vec<ArqcJob<'_>> = datas.iter().map(|d| ArqcJob { atc: [next(), next()], data: d }).collect();
            for parallel in [false, true] {
                let t = batch_arqc_tdes_csk(&mk, &jobs, parallel);
                assert_eq!(t.len(), jobs.len());
                for (i, j) in jobs.iter().enumerate() {
                    assert_eq!(t[i], generate_arqc_tdes_csk(&mk, j.atc, j.data), "MK {mk_len}, len {len}, job {i}");
                }
            }
        }
    }
}

/// Many cards, one ICC MK each: every lane of the bitsliced path agrees with the single call
/// under that card's key, including a short tail and a job of another length.
#[test]
fn per_card_batches_equal_single_calls() {
    let mut next = bytes(0xCA4D_u64);
    for len in [0usize, 16, 33] {
        let mut datas: Vec<Vec<u8>> = (0..64 * 3 + 9).map(|_| (0..len).map(|_| next()).collect()).collect();
        datas[64 + 5].push(0x42);
        let keys: Vec<[u8; 16]> = (0..datas.len()).map(|_| core::array::from_fn(|_| next())).collect();
        let jobs: Vec<CardArqcJob<'_>> =
            datas.iter().zip(&keys).map(|(d, k)| CardArqcJob { icc_mk: *k, atc: [next(), next()], data: d }).collect();
        for parallel in [false, true] {
            let t = batch_arqc_tdes_csk_cards(&jobs, parallel);
            assert_eq!(t.len(), jobs.len());
            for (i, j) in jobs.iter().enumerate() {
                let single = generate_arqc_tdes_csk(&Tdes::new(&j.icc_mk).unwrap(), j.atc, j.data);
                assert_eq!(t[i], single, "len {len}, job {i}");
            }
        }
    }
    // the published vector (crypto-vectors.md 5c) in every lane of a per-card pass
    let cdol = h("0000000040000000000000000124800004800001241911050152BF45851800001C");
    let mk: [u8; 16] = h("154F349D8585CB7F6B0798E9839B10C1").try_into().unwrap();
    let same = vec![CardArqcJob { icc_mk: mk, atc: [0x00, 0x1C], data: &cdol }; 64];
    for arqc in batch_arqc_tdes_csk_cards(&same, false) {
        assert_eq!(hex::encode_upper(arqc), "73024BD8950ADE28");
    }
}

/// Two card profiles interleaved (CDOLs padding to 5 and 3 blocks, alternating): grouping by
/// length gives two full bitsliced passes, and the results come back in the input order.
#[test]
fn interleaved_lengths_come_back_in_input_order() {
    let mk = Tdes::new(&h("154F349D8585CB7F6B0798E9839B10C1")).unwrap();
    let datas: Vec<Vec<u8>> = (0..128u32).map(|i| vec![i as u8; if i % 2 == 0 { 33 } else { 20 }]).collect();
    let jobs: Vec<ArqcJob<'_>> =
        datas.iter().enumerate().map(|(i, d)| ArqcJob { atc: (i as u16).to_be_bytes(), data: d }).collect();
    let cards: Vec<CardArqcJob<'_>> = jobs
        .iter()
        .map(|j| CardArqcJob {
            icc_mk: h("154F349D8585CB7F6B0798E9839B10C1").try_into().unwrap(),
            atc: j.atc,
            data: j.data,
        })
        .collect();
    for parallel in [false, true] {
        let t = batch_arqc_tdes_csk(&mk, &jobs, parallel);
        assert_eq!(t, batch_arqc_tdes_csk_cards(&cards, parallel));
        for (i, j) in jobs.iter().enumerate() {
            assert_eq!(t[i], generate_arqc_tdes_csk(&mk, j.atc, j.data), "job {i}");
        }
    }
}
