"""Time ndeflib (and pyndef, for reference) decoding the same NDEF message mix as
benches/ndef.rs: every message vector in vectors/ndef/ except the t2t_/t4t_ containers.

    /tmp/venv-ndef/bin/python benches/peer_ndeflib.py [seconds]

Prints MB/s (10^6 bytes per second) of full message decoding: ndeflib's message_decoder with
its default known types (payloads of Text, URI, Smart Poster, Handover, Bluetooth... decoded),
and with known_types={} (raw records only).
"""

import glob
import os
import sys
import time

import ndef
import pyndef.ndef as pyndef

HERE = os.path.dirname(os.path.abspath(__file__))


def load_mix():
    paths = sorted(glob.glob(os.path.join(HERE, "..", "vectors", "ndef", "*.hex")))
    names = [p for p in paths if not os.path.basename(p).startswith(("t2t_", "t4t_"))]
    return [bytes.fromhex(open(p).read().strip()) for p in names]


def rate(label, fn, messages, seconds):
    total = sum(len(m) for m in messages)
    rounds = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for m in messages:
            fn(m)
        rounds += 1
    elapsed = time.perf_counter() - start
    print("%-40s %8.3f MB/s  (%d messages, %d bytes per round, %d rounds)" % (label, total * rounds / elapsed / 1e6, len(messages), total, rounds))


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    messages = load_mix()
    rate("ndeflib message_decoder (known types)", lambda m: list(ndef.message_decoder(m)), messages, seconds)
    rate("ndeflib message_decoder (raw records)", lambda m: list(ndef.message_decoder(m, known_types={})), messages, seconds)
    rate("pyndef NdefMessage.parse", pyndef.NdefMessage.parse, messages, seconds)


if __name__ == "__main__":
    main()
