"""Virtual keys for the e2e tests, written straight into a gateway's store.

Until the admin API exists, this is the one way to hand a running gateway a key: a row in `virtual_keys` of
`<data_dir>/switchyard.sqlite` with its secret sealed the way `SecretBox` seals it (AES-GCM under the master key,
the key id as associated data, stored as nonce + ciphertext + tag). Gateways started with MASTER_KEY_ENV share one
known master key. Seed keys before the first request that uses them: the gateway remembers an unknown access key
id for a few seconds.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MASTER_KEY = bytes(range(32))
MASTER_KEY_ENV = {"SWITCHYARD_MASTER_KEY": base64.b64encode(MASTER_KEY).decode()}
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


@dataclass(frozen=True)
class VirtualKey:
    id: str
    name: str
    access_key_id: str
    secret: str

    @property
    def token(self) -> str:
        """The bearer / x-bf-vk form."""
        return f"sk-swyd-{self.access_key_id}.{self.secret}"


def seal(secret: str, key_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(MASTER_KEY).encrypt(nonce, secret.encode(), key_id.encode())


def seed_key(data_dir: Path, name: str, *, active: bool = True, expires_at: float | None = None,
             allowed_models: list[str] | None = None) -> VirtualKey:
    key = VirtualKey(id=str(uuid.uuid4()), name=name,
                     access_key_id="SWYD" + "".join(secrets.choice(BASE32) for _ in range(16)),
                     secret="".join(secrets.choice(SECRET_ALPHABET) for _ in range(40)))
    policy = {"allowedModels": allowed_models or [], "allowedProviders": [], "budgets": [], "pinnedKeys": []}
    now = time.time()
    with sqlite3.connect(data_dir / "switchyard.sqlite", timeout=10) as db:
        db.execute(
            "INSERT INTO virtual_keys (id, name, accessKeyId, sealedSecret, active, expiresAt, policy, metadata, source,"
            " createdAt, updatedAt, lastUsedAt) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 'api', ?, ?, NULL)",
            (key.id, name, key.access_key_id, seal(key.secret, key.id), int(active), expires_at,
             json.dumps(policy, sort_keys=True), now, now))
    return key


def stored_secrets_in_clear(data_dir: Path, key: VirtualKey) -> bool:
    """Whether the database files hold the key's secret anywhere as plain text."""
    needle = key.secret.encode()
    return any(needle in p.read_bytes() for p in data_dir.glob("switchyard.sqlite*"))
