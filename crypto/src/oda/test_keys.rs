//! Test keys: the published EMV test CA public keys, and self-generated TEST ONLY key pairs.
//!
//! * [`PUBLISHED_TEST_CA_KEYS`]: Visa and Mastercard **test** CA public keys (RID, index,
//!   modulus, exponent, SHA-1 checksum) as open-source terminal kernels and payment-scheme test
//!   documentation publish them. Their private halves are held by the schemes; they verify test
//!   cards' certificates. Each checksum (SHA-1 over RID || index || modulus || exponent, EMV
//!   Book 2 §11.2, CA public key check sum) is recomputed in a unit test. Sources: see each entry and
//!   `vectors/crypto/oda/SOURCES.md`.
//! * [`TEST_ONLY_CA`], [`TEST_ONLY_ISSUER`], [`TEST_ONLY_ICC`]: RSA key pairs generated for
//!   tapcert (SELF). They let tests and the virtual band issue certificates and sign dynamic
//!   data. They are test keys: their private exponents are in this file.

use super::error::OdaError;
use super::recovery::sha1_concat;
use super::rsa::{RsaPrivateKey, RsaPublicKey};

/// One published CA public key (the fields a terminal stores per EMV Book 2 §11.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaPublicKeyEntry {
    /// Registered Application Provider Identifier.
    pub rid: [u8; 5],
    /// Certification Authority Public Key Index (tag `8F` on the card).
    pub index: u8,
    /// Modulus, upper-case hex.
    pub modulus: &'static str,
    /// Public exponent, upper-case hex.
    pub exponent: &'static str,
    /// SHA-1 checksum as published, upper-case hex.
    pub checksum: &'static str,
    /// Where the key was taken from.
    pub source: &'static str,
}

impl CaPublicKeyEntry {
    /// The key, ready for certificate recovery.
    pub fn public_key(&self) -> Result<RsaPublicKey, OdaError> {
        RsaPublicKey::new(&decode_hex(self.modulus), &decode_hex(self.exponent))
    }

    /// SHA-1(RID || index || modulus || exponent), to compare with [`Self::checksum`].
    pub fn computed_checksum(&self) -> [u8; 20] {
        sha1_concat(&[&self.rid, &[self.index], &decode_hex(self.modulus), &decode_hex(self.exponent)])
    }

    /// True when the published checksum matches the key data.
    pub fn checksum_is_valid(&self) -> bool {
        decode_hex(self.checksum) == self.computed_checksum()
    }
}

/// The published Visa (RID `A000000003`: 92, 94, 95, 99) and Mastercard (RID `A000000004`:
/// EF, F1, F3, FA) test CA public keys.
pub const PUBLISHED_TEST_CA_KEYS: &[CaPublicKeyEntry] = &[
    // Visa 92: VSDC CA public TEST key, 1408 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x03],
        index: 0x92,
        modulus: concat!(
            "996AF56F569187D09293C14810450ED8EE3357397B18A2458EFAA92DA3B6DF6514EC060195318FD43BE9B8F0CC669E3F",
            "844057CBDDF8BDA191BB64473BC8DC9A730DB8F6B4EDE3924186FFD9B8C7735789C23A36BA0B8AF65372EB57EA5D89E7",
            "D14E9C7B6B557460F10885DA16AC923F15AF3758F0F03EBD3C5C2C949CBA306DB44E6A2C076C5F67E281D7EF56785DC4",
            "D75945E491F01918800A9E2DC66F60080566CE0DAF8D17EAD46AD8E30A247C9F",
        ),
        exponent: "03",
        checksum: "429C954A3859CEF91295F663C963E582ED6EB253",
        source: "RfidResearchGroup/proxmark3 client/resources/capk.txt; merlokk/PCSCEMV EMVkeys.pas (Visa 'VSDC CA Public Test Keys' Table 2-2)",
    },
    // Visa 94: VSDC CA public TEST key, 1984 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x03],
        index: 0x94,
        modulus: concat!(
            "ACD2B12302EE644F3F835ABD1FC7A6F62CCE48FFEC622AA8EF062BEF6FB8BA8BC68BBF6AB5870EED579BC3973E121303",
            "D34841A796D6DCBC41DBF9E52C4609795C0CCF7EE86FA1D5CB041071ED2C51D2202F63F1156C58A92D38BC60BDF424E1",
            "776E2BC9648078A03B36FB554375FC53D57C73F5160EA59F3AFC5398EC7B67758D65C9BFF7828B6B82D4BE124A416AB7",
            "301914311EA462C19F771F31B3B57336000DFF732D3B83DE07052D730354D297BEC72871DCCF0E193F171ABA27EE464C",
            "6A97690943D59BDABB2A27EB71CEEBDAFA1176046478FD62FEC452D5CA393296530AA3F41927ADFE434A2DF2AE3054F8",
            "840657A26E0FC617",
        ),
        exponent: "03",
        checksum: "C4A3C43CCF87327D136B804160E47D43B60E6E0F",
        source: "RfidResearchGroup/proxmark3 client/resources/capk.txt; merlokk/PCSCEMV EMVkeys.pas (Visa 'VSDC CA Public Test Keys' Table 2-3); cahrdpro/testsdk EmvConfig.java (ADVT 94)",
    },
    // Visa 95: VSDC CA public TEST key, 1152 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x03],
        index: 0x95,
        modulus: concat!(
            "BE9E1FA5E9A803852999C4AB432DB28600DCD9DAB76DFAAA47355A0FE37B1508AC6BF38860D3C6C2E5B12A3CAAF2A700",
            "5A7241EBAA7771112C74CF9A0634652FBCA0E5980C54A64761EA101A114E0F0B5572ADD57D010B7C9C887E104CA4EE12",
            "72DA66D997B9A90B5A6D624AB6C57E73C8F919000EB5F684898EF8C3DBEFB330C62660BED88EA78E909AFF05F6DA627B",
        ),
        exponent: "03",
        checksum: "EE1511CEC71020A9B90443B37B1D5F6E703030F6",
        source: "RfidResearchGroup/proxmark3 client/resources/capk.txt; merlokk/PCSCEMV EMVkeys.pas (Visa 'VSDC CA Public Test Keys' Table 2-1)",
    },
    // Visa 99: Visa CA public TEST key, 1024 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x03],
        index: 0x99,
        modulus: concat!(
            "AB79FCC9520896967E776E64444E5DCDD6E13611874F3985722520425295EEA4BD0C2781DE7F31CD3D041F565F747306",
            "EED62954B17EDABA3A6C5B85A1DE1BEB9A34141AF38FCF8279C9DEA0D5A6710D08DB4124F041945587E20359BAB47B75",
            "75AD94262D4B25F264AF33DEDCF28E09615E937DE32EDC03C54445FE7E382777",
        ),
        exponent: "03",
        checksum: "4ABFFD6B1C51212D05552E431C5B17007D2F5E6D",
        source: "public terminal CAPK configuration lists (several open-source POS SDK files carry it with this checksum); checksum verified here",
    },
    // Mastercard EF: Mastercard CA public TEST key, 1984 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x04],
        index: 0xEF,
        modulus: concat!(
            "A191CB87473F29349B5D60A88B3EAEE0973AA6F1A082F358D849FDDFF9C091F899EDA9792CAF09EF28F5D22404B88A22",
            "93EEBBC1949C43BEA4D60CFD879A1539544E09E0F09F60F065B2BF2A13ECC705F3D468B9D33AE77AD9D3F19CA40F23DC",
            "F5EB7C04DC8F69EBA565B1EBCB4686CD274785530FF6F6E9EE43AA43FDB02CE00DAEC15C7B8FD6A9B394BABA419D3F6D",
            "C85E16569BE8E76989688EFEA2DF22FF7D35C043338DEAA982A02B866DE5328519EBBCD6F03CDD686673847F84DB651A",
            "B86C28CF1462562C577B853564A290C8556D818531268D25CC98A4CC6A0BDFFFDA2DCCA3A94C998559E307FDDF915006",
            "D9A987B07DDAEB3B",
        ),
        exponent: "03",
        checksum: "21766EBB0EE122AFB65D7845B73DB46BAB65427A",
        source: "RfidResearchGroup/proxmark3 client/resources/capk.txt",
    },
    // Mastercard F1: Mastercard CA public TEST key, 1408 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x04],
        index: 0xF1,
        modulus: concat!(
            "A0DCF4BDE19C3546B4B6F0414D174DDE294AABBB828C5A834D73AAE27C99B0B053A90278007239B6459FF0BBCD7B4B9C",
            "6C50AC02CE91368DA1BD21AAEADBC65347337D89B68F5C99A09D05BE02DD1F8C5BA20E2F13FB2A27C41D3F85CAD5CF66",
            "68E75851EC66EDBF98851FD4E42C44C1D59F5984703B27D5B9F21B8FA0D93279FBBF69E090642909C9EA27F898959541",
            "AA6757F5F624104F6E1D3A9532F2A6E51515AEAD1B43B3D7835088A2FAFA7BE7",
        ),
        exponent: "03",
        checksum: "D8E68DA167AB5A85D8C3D55ECB9B0517A1A5B4BB",
        source: "RfidResearchGroup/proxmark3 client/resources/capk.txt; cahrdpro/testsdk EmvConfig.java (addCAPK_mast_F1)",
    },
    // Mastercard F3: Mastercard CA public TEST key, 1152 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x04],
        index: 0xF3,
        modulus: concat!(
            "98F0C770F23864C2E766DF02D1E833DFF4FFE92D696E1642F0A88C5694C6479D16DB1537BFE29E4FDC6E6E8AFD1B0EB7",
            "EA0124723C333179BF19E93F10658B2F776E829E87DAEDA9C94A8B3382199A350C077977C97AFF08FD11310AC950A72C",
            "3CA5002EF513FCCC286E646E3C5387535D509514B3B326E1234F9CB48C36DDD44B416D23654034A66F403BA511C5EFA3",
        ),
        exponent: "03",
        checksum: "A69AC7603DAF566E972DEDC2CB433E07E8B01A9A",
        source: "RfidResearchGroup/proxmark3 client/resources/capk.txt",
    },
    // Mastercard FA: Mastercard CA public TEST key, 1152 bits.
    CaPublicKeyEntry {
        rid: [0xA0, 0x00, 0x00, 0x00, 0x04],
        index: 0xFA,
        modulus: concat!(
            "A90FCD55AA2D5D9963E35ED0F440177699832F49C6BAB15CDAE5794BE93F934D4462D5D12762E48C38BA83D8445DEAA7",
            "4195A301A102B2F114EADA0D180EE5E7A5C73E0C4E11F67A43DDAB5D55683B1474CC0627F44B8D3088A492FFAADAD4F4",
            "2422D0E7013536C3C49AD3D0FAE96459B0F6B1B6056538A3D6D44640F94467B108867DEC40FAAECD740C00E2B7A8852D",
        ),
        exponent: "03",
        checksum: "5BED4068D96EA16D2D77E03D6036FC7A160EA99C",
        source: "RfidResearchGroup/proxmark3 client/resources/capk.txt",
    },
];

/// Looks up a published test CA key by RID and index.
pub fn published_test_ca_key(rid: [u8; 5], index: u8) -> Option<&'static CaPublicKeyEntry> {
    PUBLISHED_TEST_CA_KEYS.iter().find(|k| k.rid == rid && k.index == index)
}

/// A self-generated RSA key pair for tests and the virtual band (hex strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestKeyPair {
    /// A name that says TEST ONLY.
    pub name: &'static str,
    /// Modulus, upper-case hex.
    pub modulus: &'static str,
    /// Public exponent, upper-case hex.
    pub public_exponent: &'static str,
    /// Private exponent, upper-case hex.
    pub private_exponent: &'static str,
}

impl TestKeyPair {
    /// The private key (the constants are checked by a unit test, so this cannot fail).
    pub fn private_key(&self) -> RsaPrivateKey {
        RsaPrivateKey::new(
            &decode_hex(self.modulus),
            &decode_hex(self.public_exponent),
            &decode_hex(self.private_exponent),
        )
        .expect("TEST ONLY key constants are valid (checked by test_keys::tests)")
    }

    /// The public key.
    pub fn public_key(&self) -> RsaPublicKey {
        self.private_key().public_key().clone()
    }
}

/// TEST ONLY ca key pair, 1408 bits, e = 3. SELF: generated for tapcert with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1408 -pkeyopt rsa_keygen_pubexp:3`.
/// Its private half is public: never use it outside tests and the virtual band.
pub const TEST_ONLY_CA: TestKeyPair = TestKeyPair {
    name: "TEST ONLY ca 1408",
    modulus: concat!(
        "F3AFCF750F1F3329BBF262FDD3AF9D236D250837C2AC9D23C23E52581CF2A8446BFC406329450E449818A3309DAF5929",
        "BCC7BE28F422DCD470C4D19F2FA861610F419100A850D9FFD90774C058A5A53101393118CC5E7D75A6D0AF1CD81C879C",
        "9B8B8FFD2AB4B52C3553E3C2E5E62C73E798D6AFB76AD3CAF6C1A091A5231348FF570D79FF687386708FDB6133384AD8",
        "DF629245163EB7D89CBF0FD7422544AFF1257DD46B374CDE3A93C768FFEBDC45",
    ),
    public_exponent: "03",
    private_exponent: concat!(
        "A27534F8B4BF777127F6ECA937CA68C248C35ACFD71DBE17D6D436E568A1C582F2A82AECC62E098310106CCB13CA3B71",
        "28852970A2C1E88DA083366A1FC59640B4D660AB1AE091553B5A4DD5906E6E20AB7B7610883EFE4D2229BC10E9FE64C0",
        "389490A92DBA142D0D1137A38FB639D47D372A20E90A08A9C4091D3024684DAB8867D027421260C7B0E055D22A566539",
        "697C0428AAACD7AD1324A91FB6DAF37BBFA085C6E4CA2BB9B28D8DF802E02BB3",
    ),
};

/// TEST ONLY issuer key pair, 1152 bits, e = 3. SELF: generated for tapcert with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1152 -pkeyopt rsa_keygen_pubexp:3`.
/// Its private half is public: never use it outside tests and the virtual band.
pub const TEST_ONLY_ISSUER: TestKeyPair = TestKeyPair {
    name: "TEST ONLY issuer 1152",
    modulus: concat!(
        "CEB2EC647715A5022D922B9AF42CE4438A754F95F0FBE6FC13393FFA840316BA3A7ECE4BFB804A76F198FCFE3959BE82",
        "0DA3AD34C3F5E0C082AA8D55E670D35E8825D1E3EFF4C0F9C3B420588C1BB9DD2EFE6A7BFEB039883310B14C594CE62D",
        "6E3966A863AE5E2E8A5C444E17F3A7CD802D9DC4AB162213B32257A1C599EAEC0F60D48096F1A346AC4BD2CC4D9EA4C3",
    ),
    public_exponent: "03",
    private_exponent: concat!(
        "89CC9D984F63C356C90C1D11F81DED825C4E350EA0A7EF52B77B7FFC58020F26D1A9DEDD525586F9F665FDFED0E67F01",
        "5E6D1E232D4E95D5AC71B38E99A08CE9B0193697F54DD5FAA4DB0983C251F7F4AB7EE7E0512CD8946E9DE44F0EE5C4FF",
        "815F5A9AF0A378E4BEF4FF471D4D96303082D328396BC28CFCC951D8D083A331303C7FDDC6D74B2076A73B54EAA0957B",
    ),
};

/// TEST ONLY icc key pair, 1024 bits, e = 65537. SELF: generated for tapcert with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -pkeyopt rsa_keygen_pubexp:65537`.
/// Its private half is public: never use it outside tests and the virtual band.
pub const TEST_ONLY_ICC: TestKeyPair = TestKeyPair {
    name: "TEST ONLY icc 1024",
    modulus: concat!(
        "D15A284F9BA165607AD7E838670B0A8DBA34153E1D230AFFF280275E2017ED95BC0C747D3082D264168D31F216FBE37D",
        "A0D5774E0C335246EC58236234A2A8AB7404F95D534477D02C665461B14B06DA743A351F30554AECA6EAC3B2B65ACAC3",
        "0A81FDB6DAD071D54F5A4E1D26ABFF50743B989F77C9C643C365E6F76C2419E1",
    ),
    public_exponent: "010001",
    private_exponent: concat!(
        "0D4B8E77CFC86629C46365C9FF31425051DCF0E46AF148C78C5CFB230D22B7E1E4795E047D4A31964DA055E5ABF3FF34",
        "813C4D4155A104BEA04FD09F71FC4A7DCB72496BD4DB5BAB869CE789AD1F357DFBF73D04C7997DF10EF72AB3BB2D4E57",
        "2BA07A1790BABC65817B098C8C9403FDA35C4A3E522663726CEDF94D6A08B889",
    ),
};

/// Decodes upper- or lower-case hex; non-hex characters and an odd last digit are skipped
/// (only ever called on the constants above, which tests check).
fn decode_hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter_map(|c| (c as char).to_digit(16).map(|d| d as u8)).collect();
    digits.chunks_exact(2).map(|p| (p[0] << 4) | p[1]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oda::error::SignedObject;

    #[test]
    fn published_checksums_match() {
        assert_eq!(PUBLISHED_TEST_CA_KEYS.len(), 8);
        for k in PUBLISHED_TEST_CA_KEYS {
            assert!(k.checksum_is_valid(), "RID {:02X?} index {:02X}", k.rid, k.index);
            let pk = k.public_key().unwrap();
            assert_eq!(pk.modulus_len() * 2, k.modulus.len());
            assert_eq!(pk.exponent(), [3]);
        }
        let bits: Vec<usize> = PUBLISHED_TEST_CA_KEYS.iter().map(|k| k.modulus.len() * 4).collect();
        assert_eq!(bits, [1408, 1984, 1152, 1024, 1984, 1408, 1152, 1152]);
    }

    #[test]
    fn a_changed_byte_breaks_the_checksum() {
        let mut k = *published_test_ca_key([0xA0, 0, 0, 0, 4], 0xF3).unwrap();
        assert!(k.checksum_is_valid());
        k.index = 0xF4;
        assert!(!k.checksum_is_valid());
        assert!(published_test_ca_key([0xA0, 0, 0, 0, 3], 0x01).is_none());
    }

    #[test]
    fn self_generated_pairs_are_consistent() {
        for (pair, bits) in [(TEST_ONLY_CA, 1408), (TEST_ONLY_ISSUER, 1152), (TEST_ONLY_ICC, 1024)] {
            assert!(pair.name.starts_with("TEST ONLY"));
            let key = pair.private_key();
            assert_eq!(key.public_key().modulus_len() * 8, bits);
            let n = key.public_key().modulus_len();
            let mut m = vec![0x33; n];
            m[0] = 0x6A;
            let s = key.private_operation(&m, SignedObject::IssuerCertificate).unwrap();
            assert_eq!(key.public_key().public_operation(&s, SignedObject::IssuerCertificate).unwrap(), m);
        }
    }

    #[test]
    fn hex_decoder() {
        assert_eq!(decode_hex("0aFf"), [0x0A, 0xFF]);
        assert_eq!(decode_hex(""), Vec::<u8>::new());
    }
}
