"""Peer figure for benches/qr.rs: the Python `cemacqr` parser (PyPI, 0.1.2) on the EMVCo annex
example, the same text the criterion bench `qr_mpm/annex` decodes.

    python3 -m venv /tmp/venv-qr && /tmp/venv-qr/bin/pip install cemacqr
    /tmp/venv-qr/bin/python benches/peer_cemacqr.py

Prints MB/s (10^6 bytes of UTF-8 payload per second) for parse (+ CRC check) and for
parse + CRC + EMVCo validation, best of 5 runs, by wall clock (what criterion measures) and by
process CPU time (steadier on a machine shared with other builds).
"""

import pathlib
import time
import timeit

import cemacqr

HERE = pathlib.Path(__file__).resolve().parent
TEXT = (HERE.parent / "vectors" / "qr" / "mpm_emvco_annex.txt").read_text(encoding="utf-8").rstrip("\n")
SIZE = len(TEXT.encode("utf-8"))


def parse_crc():
    qr = cemacqr.parse_payload(TEXT)
    return qr.crc_ok


def parse_crc_validate():
    qr = cemacqr.parse_payload(TEXT)
    return qr.crc_ok, cemacqr.validate(qr)


def rate(fn, timer):
    fn()
    n = 2000
    best = min(timeit.repeat(fn, number=n, repeat=5, timer=timer))
    per_call = best / n
    return per_call, SIZE / per_call / 1e6


if __name__ == "__main__":
    assert parse_crc() is True, "cemacqr does not accept the annex CRC"
    print(f"cemacqr {getattr(cemacqr, '__version__', '?')}, payload {SIZE} bytes")
    for name, fn in [("parse+crc", parse_crc), ("parse+crc+validate", parse_crc_validate)]:
        for clock, timer in [("wall", time.perf_counter), ("cpu", time.process_time)]:
            per_call, mbps = rate(fn, timer)
            print(f"{name:20s} {clock:4s} {per_call * 1e6:8.2f} us/payload {mbps:8.2f} MB/s")
