#!/usr/bin/env python3
"""An independent verifier of newsdesk's signed story versions.

Written from docs/SIGNING.md alone, with PyNaCl (libsodium) and Python's
own JSON, sharing no code with newsdesk: if this agrees with newsdesk, the
format is what the document says.

    verify.py KEYS.json DOCUMENT.signed.json [PREVIOUS.signed.json]

DOCUMENT is a story version or one live update (an entry of slug.updates.json).

Prints "genuine <version> <sha256>" and exits 0, or prints why not and exits 1.
"""
import base64
import hashlib
import json
import sys

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey


def canonical(value):
    # RFC 8785 for what newsdesk signs: sorted keys, no spaces, UTF-8.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main(keys_path, document_path, previous_path=None):
    with open(keys_path, encoding="utf-8") as f:
        keys = {k["key_id"]: k for k in json.load(f)["keys"]}
    with open(document_path, encoding="utf-8") as f:
        document = json.load(f)
    payload_field = {"newsdesk-signed-story/1": "story", "newsdesk-signed-update/1": "update"}.get(document.get("format"))
    if payload_field is None:
        print("not a signed story or update")
        return 1
    payload = document[payload_field]
    key = keys.get(document["key_id"])
    if key is None or key["algorithm"] != "Ed25519":
        print("unknown key", document["key_id"])
        return 1
    public = base64.b64decode(key["public_key"])
    if hashlib.sha256(public).hexdigest()[:16] != document["key_id"]:
        print("key id does not match its key")
        return 1
    signed = canonical(payload)
    try:
        VerifyKey(public).verify(signed, b64url(document["signature"]))
    except BadSignatureError:
        print("bad signature")
        return 1
    digest = hashlib.sha256(signed).hexdigest()
    if previous_path:
        with open(previous_path, encoding="utf-8") as f:
            previous = json.load(f)
        if hashlib.sha256(canonical(previous["story"])).hexdigest() != payload["previous_sha256"]:
            print("the chain is broken: previous_sha256 is not the previous version")
            return 1
    print("genuine", payload.get("version", payload.get("id")), digest)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
