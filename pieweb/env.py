"""One place that reads the environment, with safe embedded defaults.

Every setting of pieweb comes from an environment variable. The defaults give the
embedded deployment: SQLite and a serverless Celery broker, both under ``var/``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return default if raw in (None, "") else float(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def var_dir() -> Path:
    """The writable state folder (SQLite file, secret key, blobs, broker queue)."""
    path = Path(env_str("PIEWEB_VAR_DIR", str(BASE_DIR / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/secret_key."""
    given = os.environ.get("SECRET_KEY")
    if given:
        return given
    path = var_dir() / "secret_key"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(secrets.token_urlsafe(50))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return path.read_text().strip()
