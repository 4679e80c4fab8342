"""Decode NDEF messages with ndeflib and pyndef for tapcert's differential test.

Reads JSON lines {"hex": "..."} on stdin; writes one JSON line per input:
{"ndeflib": RESULT, "pyndef": RESULT}, RESULT = {"ok": true, "records": [...]} or
{"ok": false, "error": "..."}.

ndeflib is asked for raw records (known_types={}, errors='strict'): each wire record is one
record (ndeflib does not join chunks), with its type string ('urn:nfc:wkt:U', 'text/plain',
'unknown', ...). pyndef (a port of Android's NdefMessage.parse) returns logical records with
chunks joined.
"""

import json
import sys

import ndef
import pyndef.ndef as pyndef


def run_ndeflib(data):
    try:
        records = list(ndef.message_decoder(data, errors="strict", known_types={}))
    except Exception as error:  # any exception is a rejection, the test compares verdicts
        return {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
    out = []
    for r in records:
        name = r.name
        name = name.encode("latin-1") if isinstance(name, str) else bytes(name or b"")
        out.append({"type": r.type, "id": name.hex().upper(), "payload": bytes(r.data).hex().upper()})
    return {"ok": True, "records": out}


def run_pyndef(data):
    try:
        msg = pyndef.NdefMessage.parse(data)
    except Exception as error:
        return {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
    out = []
    for r in msg.records:
        out.append(
            {
                "tnf": int(r.tnf),
                "type": bytes(r.record_type).hex().upper(),
                "id": bytes(r.record_id).hex().upper(),
                "payload": bytes(r.payload).hex().upper(),
            }
        )
    return {"ok": True, "records": out}


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        data = bytes.fromhex(json.loads(line)["hex"])
        print(json.dumps({"ndeflib": run_ndeflib(data), "pyndef": run_pyndef(data)}), flush=False)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
