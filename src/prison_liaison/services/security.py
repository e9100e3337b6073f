"""Password hashing (Argon2id), token generation and hashing, encryption of free text at rest."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from prison_liaison.settings import get_settings

# argon2-cffi's defaults are Argon2id with the RFC 9106 low-memory parameters. The test suite may ask for a
# cheaper (still Argon2id) profile so that hundreds of test users do not take minutes.
_hasher = (
    PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    if os.environ.get("PRISON_LIAISON_ARGON2_PROFILE") == "test"
    else PasswordHasher()
)
# A real hash of a random password, verified against when the user does not exist, so that the timing of a
# failed login does not reveal whether the username exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """256 bits of randomness, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Tokens are stored only as their SHA-256: they are random, so a slow hash adds nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def generate_encryption_key() -> str:
    return Fernet.generate_key().decode()


def _keys_from(spec: str) -> list[Fernet]:
    keys = [k.strip() for k in spec.split(",") if k.strip()]
    fernets = []
    for key in keys:
        try:
            fernets.append(Fernet(key.encode()))
        except ValueError:
            # Accept any passphrase too: derive a Fernet key from it.
            derived = base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())
            fernets.append(Fernet(derived))
    return fernets


@lru_cache(maxsize=4)
def _cipher(spec: str) -> MultiFernet:
    fernets = _keys_from(spec)
    if not fernets:
        raise RuntimeError(
            "PRISON_LIAISON_ENCRYPTION_KEY is not set: case notes cannot be encrypted. "
            "Generate one with `prison-liaison generate-key`."
        )
    return MultiFernet(fernets)


def encrypt_text(plain: str) -> str:
    """Encrypt free text with the first key of PRISON_LIAISON_ENCRYPTION_KEY (comma-separated for rotation)."""
    if not plain:
        return ""
    return _cipher(get_settings().encryption_key).encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    if not token:
        return ""
    try:
        return _cipher(get_settings().encryption_key).decrypt(token.encode()).decode()
    except InvalidToken:
        return "[nicht entschlüsselbar / cannot be decrypted with the configured key]"


def rotate_text(token: str) -> str:
    """Re-encrypt with the newest (first) key."""
    if not token:
        return ""
    return _cipher(get_settings().encryption_key).rotate(token.encode()).decode()
