#!/usr/bin/env python3
"""Known answers for the backup file format (lib/crypto/backup-seal.ts).

An independent implementation on purpose: Python's hashlib.scrypt and unicodedata plus the
`cryptography` package's HKDF and AES-GCM (OpenSSL underneath, where the extension uses
@noble/hashes and @noble/ciphers), written from the layout below rather than from the
TypeScript, so that a bug shared by the code and its test cannot hide. Run once; the output is
committed. Regenerate (stable byte for byte, already in the formatter's layout) with:

    python3 tests/data/backup-seal-vectors.py > tests/data/backup-seal-vectors.json

The format, as an independent implementation would read it:
  header = "TINCAN-BACKUP\\n" (14 ASCII bytes) || version (1 byte, = 1)
           || log2(N) (1 byte) || r (1 byte) || p (1 byte) || salt (16 bytes) || nonce (12 bytes)
  secret = UTF-8 of NFKC(passphrase)
  key    = HKDF-SHA256(ikm = scrypt(secret, salt, N, r, p, 32 bytes), salt = empty,
                       info = "tincan/backup/v1", 32 bytes)
  file   = header || AES-256-GCM(key, nonce, plaintext, associated data = header)  (tag last)
"""

import hashlib
import json
import sys
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"TINCAN-BACKUP\n"
VERSION = 1

CASES = [
    {
        # Small N so the test is quick; a passphrase that NFKC changes (a combining accent and
        # the "fi" ligature), so normalisation is part of the answer.
        "name": "small N, a passphrase NFKC changes",
        "passphrase": "Cafe\u0301 \ufb01lter \U0001f375 passphrase",
        "logN": 10,
        "r": 8,
        "p": 1,
        "salt": bytes(range(16)),
        "nonce": bytes(range(0xA0, 0xAC)),
        "plaintext": '{"format":"tincan-backup","contacts":[]}',
    },
    {
        # The parameters every exported backup uses (N = 2^17, r = 8, p = 1).
        "name": "the default parameters",
        "passphrase": "moving day passphrase",
        "logN": 17,
        "r": 8,
        "p": 1,
        "salt": bytes([0x5A] * 16),
        "nonce": bytes([0xC3] * 12),
        "plaintext": "",
    },
]


def seal(case):
    header = (
        MAGIC
        + bytes([VERSION, case["logN"], case["r"], case["p"]])
        + case["salt"]
        + case["nonce"]
    )
    secret = unicodedata.normalize("NFKC", case["passphrase"]).encode("utf-8")
    n = 2 ** case["logN"]
    stretched = hashlib.scrypt(
        secret,
        salt=case["salt"],
        n=n,
        r=case["r"],
        p=case["p"],
        maxmem=129 * case["r"] * (n + case["p"] + 2),
        dklen=32,
    )
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=b"tincan/backup/v1").derive(stretched)
    body = AESGCM(key).encrypt(case["nonce"], case["plaintext"].encode("utf-8"), header)
    return header + body


def main():
    vectors = [
        {
            "name": case["name"],
            "passphrase": case["passphrase"],
            "logN": case["logN"],
            "r": case["r"],
            "p": case["p"],
            "salt": case["salt"].hex(),
            "nonce": case["nonce"].hex(),
            "plaintext": case["plaintext"],
            "file": seal(case).hex(),
        }
        for case in CASES
    ]
    json.dump(vectors, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
