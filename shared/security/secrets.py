"""Encryption at rest for the practices' Stripe secrets.

CLINICPAY_SECRET_KEYS holds Fernet keys, comma separated, newest first. MultiFernet
encrypts with the first and decrypts with any, so a key is rotated by prepending
the new one, running `clinicpay rotate-secrets`, then dropping the old one.
A value that is not a Fernet key (the development default) is stretched into one,
so `make run` works with no configuration; production refuses it (AppSettings).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet

from shared.config import app_settings


def _as_fernet(key: str) -> Fernet:
    try:
        return Fernet(key.encode())
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


@lru_cache
def _cipher() -> MultiFernet:
    keys = [k.strip() for k in app_settings().secret_keys.split(",") if k.strip()]
    return MultiFernet([_as_fernet(k) for k in keys])


def encrypt_secret(plaintext: str) -> bytes:
    return _cipher().encrypt(plaintext.encode())


def decrypt_secret(token: bytes) -> str:
    return _cipher().decrypt(bytes(token)).decode()


def rotate_secret(token: bytes) -> bytes:
    return _cipher().rotate(bytes(token))


def reset_cipher() -> None:
    _cipher.cache_clear()
