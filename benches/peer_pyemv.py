#!/usr/bin/env python3
"""Times pyemv's session-key derivation + ARQC on the same inputs as benches/tokens.rs
(arqc_tdes/from_mk_bytes): ICC MK K10, ATC 001C, the 33-byte EMV Book 2 §8.1.1 data set,
EMV CSK + ISO 9797-1 MAC alg 3 with padding method 2 (crypto-vectors.md §5c).

Usage: /tmp/venv-pyemv/bin/python benches/peer_pyemv.py [--runs 31] [--loops 2000] [--json]
Prints the median time per derive+ARQC over `runs` runs of `loops` calls each.
"""
import argparse
import json
import statistics
import time
import warnings

warnings.simplefilter("ignore")  # cryptography's TripleDES deprecation notices

from pyemv import ac, kd  # noqa: E402

MK = bytes.fromhex("154F349D8585CB7F6B0798E9839B10C1")
ATC = bytes.fromhex("001C")
DATA = bytes.fromhex("0000000040000000000000000124800004800001241911050152BF45851800001C")
EXPECTED = "73024BD8950ADE28"


def once() -> bytes:
    sk = kd.derive_common_sk(MK, ATC + b"\x00" * 6)
    return ac.generate_ac(sk, DATA, ac.PaddingType.EMV)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=31)
    p.add_argument("--loops", type=int, default=2000)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    assert once().hex().upper() == EXPECTED, "pyemv disagrees with the 5c vector"
    per_call = []
    for _ in range(a.runs):
        t0 = time.perf_counter_ns()
        for _ in range(a.loops):
            once()
        per_call.append((time.perf_counter_ns() - t0) / a.loops)
    med = statistics.median(per_call)
    if a.json:
        print(json.dumps({"peer": "pyemv", "op": "derive_common_sk+generate_ac", "median_ns": med,
                          "runs": a.runs, "loops": a.loops}))
    else:
        print(f"pyemv derive_common_sk + generate_ac: median {med / 1000:.2f} us per call "
              f"({a.runs} runs x {a.loops} calls)")


if __name__ == "__main__":
    main()
