#!/usr/bin/env python3
"""Generator of the known answers in vectors/crypto/ that no public source gives.

Each row below is computed by an implementation nobody here wrote for tapcert: pyemv 1.5.0
(TDES key derivation, cryptograms, Visa CVN 22, MAC algorithm 3) or tools/emv_reference.py
(AES Option C, AES session keys, AES-CMAC cryptograms, AES ARPCs, MAC algorithm 1 with TDES,
the wallet code model), which is written from the specifications on the block primitives of the
`cryptography` package. The rows' inputs stay in the JSON files; this script computes their
outputs and stamps their `source`.

    python tools/gen_crypto_vectors.py            # re-derive, compare, print a JSON report;
                                                  # exit 1 on any difference
    python tools/gen_crypto_vectors.py --write    # write the outputs into vectors/crypto/

crypto/tests/generated_vectors.rs runs the first form in every test run (the venv .ci/setup
makes has pyemv and cryptography), so the known answers are re-derived each time.
"""
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emv_reference as ref  # noqa: E402
from pyemv import ac, cvn, kd, mac  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "crypto")
SOURCE = "tools/gen_crypto_vectors.py"


def h(s):
    return bytes.fromhex(s)


def up(b):
    return b.hex().upper()


def icc_mk_c(r):
    return {"mk": up(ref.icc_mk_option_c(h(r["imk"]), r["pan"], r["psn"]))}, "AES Option C, tools/emv_reference.py"


def csk_aes(r):
    return {"sk": up(ref.session_key_csk_aes(h(r["mk"]), h(r["atc"])))}, "AES common session key, tools/emv_reference.py"


def bench_tdes(r):
    sk = kd.derive_common_sk(h(r["mk"]), h(r["atc"]) + bytes(6))
    arqc = ac.generate_ac(sk, h(r["data"]), ac.PaddingType.EMV)
    return {"sk": up(sk), "arqc": up(arqc)}, "pyemv kd.derive_common_sk + ac.generate_ac"


def bench_aes(r):
    sk = ref.session_key_csk_aes(h(r["mk"]), h(r["atc"]))
    out = {"sk": up(sk), "arqc": up(ref.ac_aes(sk, h(r["data"])))}
    if "cmac" in r:
        out["cmac"] = up(ref.aes_cmac(sk, h(r["data"])))
        out["arpc2"] = up(ref.arpc_method2_aes(sk, h(out["arqc"]), h(r["arpc2_csu"]), b""))
    return out, "AES session key, AES-CMAC ARQC and ARPC method 2, tools/emv_reference.py"


def arpc1_aes(r):
    return {"arpc": up(ref.arpc_method1_aes(h(r["sk"]), h(r["arqc"]), h(r["arc"])))}, "AES ARPC method 1, tools/emv_reference.py"


def visa_cvn22(r):
    imk = h(r["imk"])
    card = cvn.VisaCVN22(imk, imk, imk, r["pan"], f"{r['psn']:02d}")
    d = h(r["data"])
    # 9F02 9F03 9F1A 95 5F2A 9A 9C 9F37 82 9F36, then the IAD (9F10)
    cut = [6, 6, 2, 5, 2, 3, 1, 4, 2, 2]
    fields, at = [], 0
    for n in cut:
        fields.append(d[at : at + n])
        at += n
    arqc = card.generate_ac(*fields, h(r["iad"]))
    arpc = card.generate_arpc(arqc, fields[9], h(r["arpc_input"]["csu"]), h(r["arpc_input"]["pad"]))
    return {"arqc": up(arqc), "arpc": up(arpc)}, "pyemv cvn.VisaCVN22 (generate_ac, generate_arpc)"


def mac_alg3(r):
    key = h(r["key"])
    out = mac.mac_iso9797_3(key[:8], key[8:], h(r["data"]), r["padding"])
    return {"mac": up(out)}, "pyemv mac.mac_iso9797_3"


def mac_alg1_tdes(r):
    return {"mac": up(ref.mac_alg1_tdes(h(r["key"]), h(r["data"]), r["padding"]))}, "ISO 9797-1 MAC algorithm 1 with TDES, tools/emv_reference.py"


def wallet(r):
    code = ref.wallet_code(r["prefix"], r["secret"].encode(), r["step"], r["t0"], r["time"])
    return {"code": code}, "tapcert's wallet code model, tools/emv_reference.py (Python hmac)"


# (file, section, row id or CVN name, how)
ROWS = [
    ("mac.json", "mac", "M8a", mac_alg3),
    ("mac.json", "mac", "M8b", mac_alg3),
    ("mac.json", "mac", "M9", mac_alg1_tdes),
    ("emv.json", "icc_mk", "K11", icc_mk_c),
    ("emv.json", "icc_mk", "K12", icc_mk_c),
    ("emv.json", "session_key", "S9", csk_aes),
    ("emv.json", "session_key", "S10", csk_aes),
    ("emv.json", "bench", "B-TDES", bench_tdes),
    ("emv.json", "bench", "B-AES128", bench_aes),
    ("emv.json", "bench", "B-AES256", bench_aes),
    ("emv.json", "arpc_aes", "R1", arpc1_aes),
    ("emv.json", "arpc_aes", "R2", arpc1_aes),
    ("emv.json", "arpc_aes", "R3", arpc1_aes),
    ("emv.json", "arpc_aes", "R4", arpc1_aes),
    ("emv.json", "cvn", "Visa22", visa_cvn22),
    ("otp.json", "wallet", "W1", wallet),
    ("otp.json", "wallet", "W2", wallet),
    ("otp.json", "wallet", "W3", wallet),
]


def row_key(row):
    return row.get("id", row.get("cvn"))


def main():
    write = "--write" in sys.argv[1:]
    docs, report, mismatches = {}, [], []
    for file, section, rid, how in ROWS:
        if file not in docs:
            with open(os.path.join(ROOT, file)) as f:
                text = f.read()
            docs[file] = (json.loads(text), text.endswith("\n"))
        rows = [r for r in docs[file][0][section] if row_key(r) == rid]
        if len(rows) != 1:
            mismatches.append(f"{file} {section} {rid}: {len(rows)} rows")
            continue
        row = rows[0]
        outputs, how_text = how(row)
        outputs["source"] = f"{SOURCE}: {how_text}"
        for k, v in outputs.items():
            if row.get(k) != v:
                mismatches.append(f"{file} {section} {rid} {k}: file has {row.get(k)!r}, re-derived {v!r}")
                row[k] = v
        report.append({"file": file, "section": section, "id": rid, "outputs": outputs})
    if write:
        for file, (doc, newline) in docs.items():
            with open(os.path.join(ROOT, file), "w") as f:
                f.write(json.dumps(doc, indent=1) + ("\n" if newline else ""))
    print(json.dumps({"rows": report, "mismatches": [] if write else mismatches}, indent=1))
    return 0 if write or not mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
