"""Password hashing (argon2id) and the password policy."""

import hashlib
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
# The most common passwords that pass a length check; a short list is enough to refuse the
# obvious, and length does the rest (NCSC guidance favours length over composition rules).
COMMON = frozenset(
    {
        "password123",
        "password1234",
        "qwertyuiop",
        "1234567890",
        "0123456789",
        "iloveyou123",
        "letmein123",
        "welcome123",
        "passw0rd123",
        "abcdefghij",
        "changeme123",
        "portfolio1",
        "administrator",
        "qwerty12345",
        "football123",
    }
)

# Words people pad with digits or symbols to get past the length check ("password12",
# "Welcome2026!"): refused whatever follows them.
COMMON_WORDS = frozenset(
    {
        "password",
        "passw0rd",
        "qwerty",
        "qwertyuiop",
        "letmein",
        "welcome",
        "iloveyou",
        "football",
        "changeme",
        "admin",
        "administrator",
        "portfolio",
        "monkey",
        "dragon",
        "sunshine",
        "trustno1",
    }
)
_PADDING = re.compile(r"[\d\W_]+$")

# A dummy hash so that a sign-in for an unknown email costs as much as one for a known email.
_DUMMY_HASH_INPUT = "not-a-real-password"


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return _hasher().hash(password)


# Marks the hash of a password the app issued itself (see hash_issued_password).
ISSUED_PREFIX = "$issued-sha256$"


def hash_issued_password(password: str) -> str:
    """A fast hash for a temporary password the app drew at random (temporary_password: 72
    bits), used when hundreds are issued at once by an import, where argon2's 0.1 s each
    would outlast the request. Slow hashing protects guessable passwords; against 72 random
    bits SHA-256 is as safe, and the password is replaced (with argon2) at first sign-in."""
    return ISSUED_PREFIX + hashlib.sha256(password.encode()).hexdigest()


def _spend_a_check(hasher: PasswordHasher, password: str) -> None:
    """Spend the time of an argon2 check, so that the time a sign-in takes does not tell an
    unknown email, or an account with an issued password, from any other."""
    try:
        hasher.verify(hasher.hash(_DUMMY_HASH_INPUT), password)
    except VerificationError:
        pass


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password against its hash; a missing hash still spends the time of a check."""
    hasher = _hasher()
    if password_hash is None:
        _spend_a_check(hasher, password)
        return False
    if password_hash.startswith(ISSUED_PREFIX):
        _spend_a_check(hasher, password)
        return hmac.compare_digest(password_hash, hash_issued_password(password))
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """Return why a password is too weak, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > 256:
        return "Use at most 256 characters."
    lowered = password.lower()
    if lowered in COMMON or _PADDING.sub("", lowered) in COMMON_WORDS or len(set(lowered)) < 4:
        return "That password is too easy to guess. Try a phrase of three or four words."
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        return f"Do not use your email address, or its first part (“{local}”), in your password."
    name_parts = [p for p in full_name.lower().split() if len(p) >= 4]
    if any(part in lowered for part in name_parts):
        return "Do not use your name in your password."
    return None


def temporary_password() -> str:
    """A random password an admin hands over once; the user must change it at first sign-in."""
    return "-".join(secrets.token_hex(3) for _ in range(3))
