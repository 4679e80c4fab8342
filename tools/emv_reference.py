"""Independent reference implementations of what no public vector covers, for the known answers
in vectors/crypto/ (tools/gen_crypto_vectors.py) and the AES cases of the pyemv differential
test (crypto/tests/pyemv_oracle.py).

Written from the specifications, not from the Rust code, on the block primitives of the
`cryptography` package (AES, AES-CMAC, TDES) and the Python standard library (hmac, hashlib).
Bytes in, bytes out.
"""
import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.cmac import CMAC

try:  # cryptography >= 43 keeps TDES among the "decrepit" algorithms
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES


def aes_encrypt_block(key: bytes, block: bytes) -> bytes:
    assert len(block) == 16
    enc = Cipher(AES(key), modes.ECB()).encryptor()
    return enc.update(block) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """NIST SP 800-38B."""
    c = CMAC(AES(key))
    c.update(data)
    return c.finalize()


def xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b, strict=True))


def icc_mk_option_c(imk: bytes, pan: str, psn: int) -> bytes:
    """EMV 4.4 Book 2 A1.4.3 (Option C, AES): Y = PAN || PSN as digits, left-padded with zeros
    to 32 digits (16 bytes); MK = AES(IMK)[Y], and for a 192/256-bit IMK the leftmost key-length
    bits of AES(IMK)[Y] || AES(IMK)[Y xor FF..FF]."""
    digits = f"{pan}{psn:02d}"
    digits = digits[-32:].rjust(32, "0")
    y = bytes.fromhex(digits)
    z = aes_encrypt_block(imk, y)
    if len(imk) > 16:
        z += aes_encrypt_block(imk, xor(y, b"\xff" * 16))
    return z[: len(imk)]


def session_key_csk_aes(mk: bytes, atc: bytes) -> bytes:
    """EMV 4.4 Book 2 A1.3.1 (common session key derivation) with AES: R = ATC || 00*14. A key of
    one block: SK = AES(MK)[R]; longer: F1 = R with byte 2 set to F0, F2 = R with byte 2 set to
    0F, SK = leftmost key-length bits of AES(MK)[F1] || AES(MK)[F2]."""
    r = atc + bytes(14)
    if len(mk) == 16:
        return aes_encrypt_block(mk, r)
    f1 = r[:2] + b"\xf0" + r[3:]
    f2 = r[:2] + b"\x0f" + r[3:]
    return (aes_encrypt_block(mk, f1) + aes_encrypt_block(mk, f2))[: len(mk)]


def ac_aes(sk: bytes, data: bytes) -> bytes:
    """EMV 4.4 Book 2 8.1.2 with AES: the leftmost 8 bytes of AES-CMAC(SK, data)."""
    return aes_cmac(sk, data)[:8]


def arpc_method1_aes(sk: bytes, arqc: bytes, arc: bytes) -> bytes:
    """EMV 4.4 Book 2 8.2.1 with AES: Y = ARQC xor (ARC || 00*6); the leftmost 8 bytes of
    AES(SK)[Y || 00*8]."""
    y = xor(arqc, arc + bytes(6))
    return aes_encrypt_block(sk, y + bytes(8))[:8]


def arpc_method2_aes(sk: bytes, arqc: bytes, csu: bytes, prop: bytes) -> bytes:
    """EMV 4.4 Book 2 8.2.2 with AES: the leftmost 4 bytes of AES-CMAC(SK, ARQC || CSU || prop)."""
    return aes_cmac(sk, arqc + csu + prop)[:4]


def pad_iso9797(data: bytes, method: int, block: int = 8) -> bytes:
    """ISO/IEC 9797-1 padding method 1 (zeros, none when aligned; one block for empty data) or
    method 2 (80 then zeros)."""
    if method == 2:
        data += b"\x80"
    elif not data:
        return bytes(block)
    return data + bytes(-len(data) % block)


def mac_alg1_tdes(key: bytes, data: bytes, padding: int) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 1 (CBC-MAC, IV zero) with two-key TDES: the last block."""
    # two-key TDES is K1 K2 K1 (cryptography warns on a 16-byte key, so give it all three)
    key = key + key[:8] if len(key) == 16 else key
    enc = Cipher(TripleDES(key), modes.CBC(bytes(8))).encryptor()
    out = enc.update(pad_iso9797(data, padding)) + enc.finalize()
    return out[-8:]


def wallet_code(prefix: int, secret: bytes, step: int, t0: int, unix_time: int) -> str:
    """tapcert's model of an 18-digit wallet payment code (crypto/src/otp/wallet.rs documents
    it): 2-digit prefix, then HMAC-SHA-256(secret, T) with T = (time - T0) // step as 8 bytes
    big-endian, its first 8 bytes big-endian with the top bit cleared, mod 10^16."""
    t = (unix_time - t0) // step
    mac = hmac.new(secret, t.to_bytes(8, "big"), hashlib.sha256).digest()
    body = (int.from_bytes(mac[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF) % 10**16
    return f"{prefix:02d}{body:016d}"
