//! Code tables: ISO 4217 numeric currency codes and ISO 3166-1 alpha-2 country codes, as
//! published by the ISO 4217 and ISO 3166 maintenance agencies (current codes; withdrawn ones
//! such as HRK 191 are not accepted). Kept as sorted tables searched by binary search.

/// ISO 4217 numeric codes in use (national currencies, funds codes, X-codes).
const ISO4217: &[u16] = &[
    8, 12, 32, 36, 44, 48, 50, 51, 52, 60, 64, 68, 72, 84, 90, 96, 104, 108, 116, 124, 132, 136, 144, 152, 156, 170,
    174, 188, 192, 203, 208, 214, 222, 230, 232, 238, 242, 262, 270, 292, 320, 324, 328, 332, 340, 344, 348, 352, 356,
    360, 364, 368, 376, 388, 392, 398, 400, 404, 408, 410, 414, 417, 418, 422, 426, 430, 434, 446, 454, 458, 462, 480,
    484, 496, 498, 504, 512, 516, 524, 532, 533, 548, 554, 558, 566, 578, 586, 590, 598, 600, 604, 608, 634, 643, 646,
    654, 682, 690, 702, 704, 706, 710, 728, 748, 752, 756, 760, 764, 776, 780, 784, 788, 800, 807, 818, 826, 834, 840,
    858, 860, 882, 886, 901, 924, 925, 926, 927, 928, 929, 930, 933, 934, 936, 938, 940, 941, 943, 944, 946, 947, 948,
    949, 950, 951, 952, 953, 955, 956, 957, 958, 959, 960, 961, 962, 963, 964, 965, 967, 968, 969, 970, 971, 972, 973,
    975, 976, 977, 978, 979, 980, 981, 984, 985, 986, 990, 994, 997, 999,
];

/// ISO 3166-1 alpha-2 officially assigned codes (249).
const ISO3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK \
FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM \
US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// One bit per assigned code: bit `second - 'A'` of `COUNTRY_BITS[first - 'A']`.
const COUNTRY_BITS: [u32; 26] = {
    let b = ISO3166.as_bytes();
    let mut bits = [0u32; 26];
    let mut i = 0;
    while i + 1 < b.len() {
        bits[(b[i] - b'A') as usize] |= 1 << (b[i + 1] - b'A');
        i += 3;
    }
    bits
};

/// True when `code` is three digits naming a current ISO 4217 currency.
///
/// ```
/// use tapcert_parsers::qr::is_iso4217_numeric;
/// assert!(is_iso4217_numeric("986") && is_iso4217_numeric("156"));
/// assert!(!is_iso4217_numeric("000") && !is_iso4217_numeric("BRL"));
/// ```
pub fn is_iso4217_numeric(code: &str) -> bool {
    match code.as_bytes() {
        &[a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            let n = usize::from(a - b'0') * 100 + usize::from(b - b'0') * 10 + usize::from(c - b'0');
            CURRENCY_BITS[n / 64] & (1 << (n % 64)) != 0
        }
        _ => false,
    }
}

/// One bit per code in [`ISO4217`], 000-999: a lookup instead of a parse and a search.
const CURRENCY_BITS: [u64; 16] = {
    let mut bits = [0u64; 16];
    let mut i = 0;
    while i < ISO4217.len() {
        let n = ISO4217[i] as usize;
        bits[n / 64] |= 1 << (n % 64);
        i += 1;
    }
    bits
};

/// True when `code` is an assigned ISO 3166-1 alpha-2 code (upper case).
///
/// ```
/// use tapcert_parsers::qr::is_iso3166_alpha2;
/// assert!(is_iso3166_alpha2("BR") && !is_iso3166_alpha2("br") && !is_iso3166_alpha2("XX"));
/// ```
pub fn is_iso3166_alpha2(code: &str) -> bool {
    match code.as_bytes() {
        &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => {
            COUNTRY_BITS[usize::from(a - b'A')] & (1 << (b - b'A')) != 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_and_complete() {
        assert!(ISO4217.windows(2).all(|w| w[0] < w[1]));
        let countries: Vec<&str> = ISO3166.split(' ').collect();
        assert_eq!(countries.len(), 249);
        assert!(countries.windows(2).all(|w| w[0] < w[1]));
        assert!(countries.iter().all(|c| is_iso3166_alpha2(c)));
        assert_eq!(COUNTRY_BITS.iter().map(|b| b.count_ones()).sum::<u32>(), 249);
        for c in ["356", "360", "458", "608", "702", "704", "764", "840", "950", "978"] {
            assert!(is_iso4217_numeric(c), "{c}");
        }
        assert!(!is_iso4217_numeric("191"));
        // The bit set holds exactly the table.
        for n in 0..1000u16 {
            assert_eq!(is_iso4217_numeric(&format!("{n:03}")), ISO4217.binary_search(&n).is_ok(), "{n:03}");
        }
        assert_eq!(CURRENCY_BITS.iter().map(|b| b.count_ones() as usize).sum::<usize>(), ISO4217.len());
        for bad in ["", "98", "9860", "+98", "98a", "٩٨٦"] {
            assert!(!is_iso4217_numeric(bad), "{bad:?}");
        }
    }
}
