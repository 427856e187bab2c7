"""Worked answers sealed with the right answer: only a learner who has it opens them.

Examples
--------
>>> box = seal("worked", question="demo/q", canonical="int:3")
>>> _unseal(box, question="demo/q", canonical="int:3")
'worked'
>>> _unseal(box, question="demo/q", canonical="int:4") is None
True
"""

from __future__ import annotations

import base64
import hashlib

__all__ = ["COHORT_ENV", "seal"]

#: Environment variable naming a cohort's folder: worked answers wait for the instructor's release.
COHORT_ENV = "CITYKIT_COHORT"


def _keystream(key: bytes, n: int) -> bytes:
    blocks = (hashlib.sha256(key + i.to_bytes(8, "big")).digest() for i in range(n // 32 + 1))
    return b"".join(blocks)[:n]


def _worked_key(question: str, canonical: str) -> bytes:
    # not the fingerprint (that is stored next to the worked answer): another salt
    return hashlib.sha256(f"citykit worked answer\n{question}\n{canonical}".encode()).digest()


def seal(text: str, *, question: str, canonical: str) -> str:
    """Return ``text`` encrypted so that only the answer with ``canonical`` form opens it."""
    key = _worked_key(question, canonical)
    data = text.encode()
    body = bytes(a ^ b for a, b in zip(data, _keystream(key, len(data)), strict=True))
    tag = hashlib.sha256(b"tag" + key + body).digest()[:16]
    return base64.b64encode(tag + body).decode("ascii")


def _unseal(sealed: str, *, question: str, canonical: str) -> str | None:
    key = _worked_key(question, canonical)
    raw = base64.b64decode(sealed)
    tag, body = raw[:16], raw[16:]
    if hashlib.sha256(b"tag" + key + body).digest()[:16] != tag:
        return None
    return bytes(a ^ b for a, b in zip(body, _keystream(key, len(body)), strict=True)).decode()
