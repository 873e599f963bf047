"""App JWTs and installation tokens, checked the way GitHub checks them."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from jwt.types import Options

TOKEN_LIFETIME = 3600
MAX_JWT_LIFETIME = 600


class AuthError(Exception):
    """Authentication failed; GitHub answers 401 with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class IssuedToken:
    """An installation access token and when it stops working."""

    token: str
    installation_id: int
    expires_at: float

    @property
    def expires_iso(self) -> str:
        return datetime.fromtimestamp(self.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def bearer(header: str | None, schemes: tuple[str, ...]) -> str:
    """Return the credential of an ``Authorization`` header using one of ``schemes``."""
    scheme, _, credential = (header or "").partition(" ")
    if scheme.lower() not in schemes or not credential.strip():
        raise AuthError("Requires authentication")
    return credential.strip()


class Authority:
    """Checks app JWTs and issues and checks installation tokens."""

    def __init__(
        self,
        app_id: int,
        public_key_pem: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self.public_key_pem = public_key_pem
        self.clock = clock
        self.tokens: dict[str, IssuedToken] = {}

    def _claims(self, token: str) -> dict[str, Any]:
        # The simulator checks claims itself, so pyjwt's own time checks are off; the signature
        # is verified only when the test supplied the app's public key.
        verify = self.public_key_pem is not None
        options: Options = {
            "verify_signature": verify,
            "verify_exp": False,
            "verify_iat": False,
            "verify_nbf": False,
        }
        try:
            return jwt.decode(
                token, self.public_key_pem or "", algorithms=["RS256"], options=options
            )
        except jwt.PyJWTError as err:
            raise AuthError("A JSON web token could not be decoded") from err

    def check_jwt(self, header: str | None) -> None:
        """Accept ``Bearer <JWT>`` issued by this app for at most ten minutes."""
        claims = self._claims(bearer(header, ("bearer",)))
        now = self.clock()
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise AuthError("'Issued at' and 'Expiration time' claims must be integers")
        if str(claims.get("iss")) != str(self.app_id):
            raise AuthError("'Issuer' claim ('iss') must be the app's id")
        if exp - iat > MAX_JWT_LIFETIME:
            raise AuthError("'Expiration time' claim ('exp') is too far in the future")
        if iat > now + 1:
            raise AuthError("'Issued at' claim ('iat') must be an Integer representing a past time")
        if exp <= now:
            raise AuthError("'Expiration time' claim ('exp') must be a numeric value in the future")

    def issue(self, installation_id: int) -> IssuedToken:
        issued = IssuedToken(
            token=f"ghs_{secrets.token_urlsafe(27)}",
            installation_id=installation_id,
            expires_at=self.clock() + TOKEN_LIFETIME,
        )
        self.tokens[issued.token] = issued
        return issued

    def check_token(self, header: str | None) -> IssuedToken:
        """Accept ``token <t>`` or ``Bearer <t>`` for a live installation token."""
        issued = self.tokens.get(bearer(header, ("token", "bearer")))
        if issued is None or issued.expires_at <= self.clock():
            raise AuthError("Bad credentials")
        return issued
