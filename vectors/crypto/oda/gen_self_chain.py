#!/usr/bin/env python3
"""Independent builder of the SELF ODA chain in self_chain.json (EMV Book 2 §5, §6, Annex A2.1).

Written apart from the Rust code, on Python integers and hashlib only: it reads the TEST ONLY
key pairs from crypto/src/oda/test_keys.rs, builds issuer and ICC certificates, SSAD, DDA,
fDDA and CDA signatures, and writes every input and output as hex. crypto/tests/oda.rs
verifies these bytes with the Rust verifier and checks that the Rust signer reproduces them.

Run from the repository root: python3 vectors/crypto/oda/gen_self_chain.py
"""
import hashlib
import json
import re
import sys

SRC = "crypto/src/oda/test_keys.rs"


def keys():
    text = open(SRC).read()
    out = {}
    for name in ["TEST_ONLY_CA", "TEST_ONLY_ISSUER", "TEST_ONLY_ICC"]:
        block = text.split(f"pub const {name}: TestKeyPair")[1].split("};")[0]

        def field(f):
            m = re.search(f + r": (concat!\((.*?)\)|\"([0-9A-F]+)\")", block, re.S)
            return "".join(re.findall(r"[0-9A-F]{2,}", m.group(2) or m.group(3)))

        out[name] = {k: int(field(k), 16) for k in ["modulus", "public_exponent", "private_exponent"]}
        out[name]["len"] = len(field("modulus")) // 2
        out[name]["e_bytes"] = bytes.fromhex(field("public_exponent"))
    return out


def sign(key, msg1, msg2):
    """ISO/IEC 9796-2 scheme 1 as EMV Annex A2.1.1: X = 6A | MSG1 | SHA-1(MSG1|MSG2) | BC."""
    n_len = key["len"]
    assert len(msg1) == n_len - 22
    x = b"\x6a" + msg1 + hashlib.sha1(msg1 + msg2).digest() + b"\xbc"
    s = pow(int.from_bytes(x, "big"), key["private_exponent"], key["modulus"])
    assert pow(s, key["public_exponent"], key["modulus"]) == int.from_bytes(x, "big")
    return s.to_bytes(n_len, "big")


def cert(signer, fmt, identity, mmyy, serial, subject, extra=b""):
    """Book 2 Table 6 (format 02) / Table 14 (format 04)."""
    n = subject["len"]
    mod = subject["modulus"].to_bytes(n, "big")
    head = bytes([fmt]) + identity + mmyy + serial + bytes([1, 1, n, len(subject["e_bytes"])])
    room = signer["len"] - 22 - len(head)
    body = head + mod[:room] + b"\xbb" * max(0, room - n)
    rem = mod[room:]
    return sign(signer, body, rem + subject["e_bytes"] + extra), rem


def sdad(icc, icc_dynamic_data, terminal_data):
    """Book 2 Table 17."""
    body = bytes([5, 1, len(icc_dynamic_data)]) + icc_dynamic_data
    body += b"\xbb" * (icc["len"] - 22 - len(body))
    return sign(icc, body, terminal_data)


def main():
    k = keys()
    ca, iss, icc = k["TEST_ONLY_CA"], k["TEST_ONLY_ISSUER"], k["TEST_ONLY_ICC"]
    pan = bytes.fromhex("5413330089600010")  # Mastercard M-TIP/PayPass published test card
    content = bytes.fromhex("5A08" + pan.hex() + "5F2403291231" + "9F4A0182")
    record = bytes([0x70, len(content)]) + content
    aip = bytes.fromhex("3900")
    static_data = record[2:] + aip  # SFI 2 record 1 (AFL 10010101), then the AIP for 9F4A
    iss_cert, iss_rem = cert(ca, 2, bytes.fromhex("541333FF"), bytes.fromhex("1230"), bytes.fromhex("000001"), iss)
    icc_cert, icc_rem = cert(iss, 4, pan + b"\xff\xff", bytes.fromhex("1229"), bytes.fromhex("000002"), icc, static_data)
    dac = bytes.fromhex("DAC1")
    ssad_body = bytes([3, 1]) + dac
    ssad = sign(iss, ssad_body + b"\xbb" * (iss["len"] - 22 - len(ssad_body)), static_data)

    idn = bytes.fromhex("0102030405060708")
    ddol_data = bytes.fromhex("11223344")
    dda = sdad(icc, bytes([len(idn)]) + idn, ddol_data)

    f_un, f_amount, f_cur = bytes.fromhex("0A0B0C0D"), bytes.fromhex("000000001000"), bytes.fromhex("0978")
    f_cad = bytes.fromhex("01A1B2C3D48000")  # 9F69: fDDA version 01, card UN, CTQ
    f_idn = bytes.fromhex("A1B2C3D4")
    fdda = sdad(icc, bytes([len(f_idn)]) + f_idn, f_un + f_amount + f_cur + f_cad)

    cdol1 = bytes.fromhex("0000000040000000000000000124800004800001241911050152BF45851800001C")
    resp_tlvs = bytes.fromhex("9F2701809F360200019F10070601 0A03A00000".replace(" ", ""))
    tdhc = hashlib.sha1(cdol1 + resp_tlvs).digest()
    c_un, cid, ac = bytes.fromhex("12345678"), 0x80, bytes.fromhex("1122334455667788")
    cda = sdad(icc, bytes([len(idn)]) + idn + bytes([cid]) + ac + tdhc, c_un)

    h = lambda b: b.hex().upper()
    out = {
        "source": "SELF: vectors/crypto/oda/gen_self_chain.py (Python integers + hashlib) over the TEST ONLY keys",
        "pan": h(pan), "afl": "10010101", "record_sfi2_1": h(record), "sda_tag_list": "82", "aip": h(aip),
        "static_data": h(static_data),
        "issuer_certificate": h(iss_cert), "issuer_remainder": h(iss_rem), "issuer_exponent": h(iss["e_bytes"]),
        "issuer_identifier": "541333FF", "issuer_expiry": "1230", "issuer_serial": "000001",
        "icc_certificate": h(icc_cert), "icc_remainder": h(icc_rem), "icc_exponent": h(icc["e_bytes"]),
        "icc_expiry": "1229", "icc_serial": "000002",
        "ssad": h(ssad), "dac": h(dac),
        "dda": {"icc_dynamic_number": h(idn), "ddol_data": h(ddol_data), "sdad": h(dda)},
        "fdda": {"icc_dynamic_number": h(f_idn), "un": h(f_un), "amount": h(f_amount), "currency": h(f_cur),
                 "card_auth_data": h(f_cad), "sdad": h(fdda)},
        "cda": {"icc_dynamic_number": h(idn), "un": h(c_un), "cid": "%02X" % cid, "ac": h(ac), "cdol1_data": h(cdol1),
                "response_tlvs": h(resp_tlvs), "transaction_data_hash": h(tdhc), "sdad": h(cda)},
    }
    json.dump(out, sys.stdout, indent=2)
    print()


main()
