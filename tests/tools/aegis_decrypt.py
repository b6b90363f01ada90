#!/usr/bin/env python3
"""Decrypts an Aegis vault file independently of Twofold and prints its db as JSON.

Usage: aegis_decrypt.py VAULT.json < password

The password is read from standard input (one line; the trailing newline is dropped), never
from the command line. Follows Aegis's docs/vault.md (formats.md §3): for each password slot
(type 1), key = scrypt(password, salt, n, r, p, dklen=32); the master key is AES-256-GCM
decrypt(key, key_params.nonce, slot.key || key_params.tag); the db is AES-256-GCM
decrypt(master key, header.params.nonce, base64(db) || header.params.tag). No AAD anywhere.
A plain vault's db is printed as is. Exit status 1 when no slot opens with the password.

Needs the `cryptography` package (Debian: python3-cryptography). It is deliberately written
against `cryptography` and the standard library only, so that it shares no code with Twofold.
"""

import base64
import json
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        vault = json.load(f)
    header, db = vault["header"], vault["db"]
    if header["slots"] is None:
        print(json.dumps(db, indent=2, ensure_ascii=False))
        return 0

    password = sys.stdin.buffer.readline().rstrip(b"\n")
    master = None
    for slot in header["slots"]:
        if slot["type"] != 1:
            continue
        kdf = Scrypt(
            salt=bytes.fromhex(slot["salt"]),
            length=32,
            n=slot["n"],
            r=slot["r"],
            p=slot["p"],
        )
        key = kdf.derive(password)
        params = slot["key_params"]
        try:
            master = AESGCM(key).decrypt(
                bytes.fromhex(params["nonce"]),
                bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"]),
                None,
            )
            break
        except InvalidTag:
            continue
    if master is None:
        print("aegis_decrypt: no password slot opens with this password", file=sys.stderr)
        return 1

    params = header["params"]
    plain = AESGCM(master).decrypt(
        bytes.fromhex(params["nonce"]),
        base64.b64decode(db) + bytes.fromhex(params["tag"]),
        None,
    )
    print(json.dumps(json.loads(plain), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
