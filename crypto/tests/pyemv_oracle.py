#!/usr/bin/env python3
"""Oracle side of crypto/tests/pyemv_differential.rs.

Reads JSON lines from stdin, one operation each, and writes one JSON line per input with the
result computed by pyemv (https://pypi.org/project/pyemv/), or for the AES operations pyemv
lacks by tools/emv_reference.py (EMV Book 2 on the `cryptography` package). Hex is upper-case.
The Rust side checks that pyemv and cryptography import before it starts this script.
"""
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import emv_reference as ref  # noqa: E402
from pyemv import ac, cvv, kd  # noqa: E402


def b(s):
    return bytes.fromhex(s)


def run(op):
    k = op["op"]
    if k == "icc_mk_a":
        return kd.derive_icc_mk_a(b(op["imk"]), op["pan"], op["psn"]).hex().upper()
    if k == "icc_mk_b":
        return kd.derive_icc_mk_b(b(op["imk"]), op["pan"], op["psn"]).hex().upper()
    if k == "csk":
        return kd.derive_common_sk(b(op["mk"]), b(op["r"])).hex().upper()
    if k == "ac":
        pad = ac.PaddingType.VISA if op["padding"] == 1 else ac.PaddingType.EMV
        return ac.generate_ac(b(op["sk"]), b(op["data"]), pad).hex().upper()
    if k == "arqc_csk":  # what one ARQC costs pyemv: the session key, then the AC (padding method 2)
        sk = kd.derive_common_sk(b(op["mk"]), b(op["r"]))
        return ac.generate_ac(sk, b(op["data"]), ac.PaddingType.EMV).hex().upper()
    if k == "arpc1":
        return ac.generate_arpc_1(b(op["key"]), b(op["arqc"]), b(op["arc"])).hex().upper()
    if k == "arpc2":
        return ac.generate_arpc_2(b(op["key"]), b(op["arqc"]), b(op["csu"]), b(op["prop"])).hex().upper()
    if k == "tree":
        return kd.derive_emv2000_tree_sk(b(op["mk"]), b(op["atc"]), op["height"], op["branch"], b(op["iv"])).hex().upper()
    if k == "cvc3":
        return cvv.generate_cvc3(b(op["kd"]), b(op["track"]), b(op["atc"]), b(op["un"]))
    if k == "aes_icc_mk_c":
        return ref.icc_mk_option_c(b(op["imk"]), op["pan"], op["psn"]).hex().upper()
    if k == "aes_csk":
        return ref.session_key_csk_aes(b(op["mk"]), b(op["atc"])).hex().upper()
    if k == "aes_ac":
        return ref.ac_aes(b(op["sk"]), b(op["data"])).hex().upper()
    if k == "aes_arpc1":
        return ref.arpc_method1_aes(b(op["sk"]), b(op["arqc"]), b(op["arc"])).hex().upper()
    if k == "aes_arpc2":
        return ref.arpc_method2_aes(b(op["sk"]), b(op["arqc"]), b(op["csu"]), b(op["prop"])).hex().upper()
    raise ValueError(f"unknown op {k}")


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        op = json.loads(line)
        try:
            out = {"out": run(op)}
        except Exception as e:  # reported per case, compared on the Rust side
            out = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
