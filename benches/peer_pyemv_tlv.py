#!/usr/bin/env python3
"""Times pyemv.tlv.decode on the same EMV flow as benches/parse.rs (peer figure for the bench).

Setup: python3 -m venv /tmp/venv-pyemv && /tmp/venv-pyemv/bin/pip install pyemv
Run:   /tmp/venv-pyemv/bin/python benches/peer_pyemv_tlv.py
"""

import pathlib
import time

from pyemv import tlv

FLOW = [
    "mc_ppse", "mc_select", "mc_gpo_format2", "mc_record_sfi1_mag",
    "mc_record_track2_cdol", "mc_record_icc_pk", "amex_record_cdol", "mc_generate_ac_format2_cda",
]
VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "emv"


def main() -> None:
    records = [bytes.fromhex((VECTORS / f"{name}.hex").read_text().strip()) for name in FLOW]
    total = sum(len(r) for r in records)
    for r in records:
        tlv.decode(r)  # every record must decode before timing
    best = None
    for _ in range(5):
        n = 0
        start = time.perf_counter()
        while time.perf_counter() - start < 1.0:
            for r in records:
                tlv.decode(r)
            n += 1
        rate = n * total / (time.perf_counter() - start) / 1e6
        best = rate if best is None else max(best, rate)
    print(f"pyemv.tlv.decode: {total} bytes per flow, best of 5 x 1 s: {best:.2f} MB/s")


if __name__ == "__main__":
    main()
