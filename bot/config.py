"""Settings from the environment and ``.env`` (pydantic-settings); read once, in the app.

Every setting is documented in ``.env.example``. Nothing reads the environment at import:
``Settings()`` is built by the composition root (``bot.app``) only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_prefix=""
    )

    data_dir: Path = Field(default=Path("data"), alias="BOT_DATA_DIR")
    database_path: Path | None = Field(default=None, alias="BOT_DATABASE")
    owners: Annotated[tuple[str, ...], NoDecode] = Field(default=(), alias="BOT_OWNERS")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", alias="BOT_TIMEZONE")
    log_level: str = Field(default="INFO", alias="BOT_LOG_LEVEL")
    tick_seconds: int = Field(default=60, ge=5, le=3600, alias="BOT_TICK_SECONDS")
    telegram_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    zalo_token: SecretStr | None = Field(default=None, alias="ZALO_BOT_TOKEN")

    @field_validator("owners", mode="before")
    @classmethod
    def _split_owners(cls, v: object) -> object:
        """``BOT_OWNERS=telegram:123456,zalo:abc`` -> ("telegram:123456", "zalo:abc")."""
        if isinstance(v, str):
            items = [p.strip() for p in v.replace(";", ",").split(",") if p.strip()]
            for item in items:
                channel, sep, user = item.partition(":")
                if not sep or not channel or not user:
                    raise ValueError(f"BOT_OWNERS: '{item}' phải có dạng kênh:mã_người_dùng")
            return tuple(items)
        return v

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"BOT_TIMEZONE: múi giờ không hợp lệ: {v}") from exc
        return v

    @property
    def database(self) -> Path:
        return self.database_path or self.data_dir / "bot.db"

    @property
    def has_platform_token(self) -> bool:
        return bool(
            (self.telegram_token and self.telegram_token.get_secret_value())
            or (self.zalo_token and self.zalo_token.get_secret_value())
        )

    def owner_set(self) -> frozenset[tuple[str, str]]:
        out = set()
        for item in self.owners:
            channel, _, user = item.partition(":")
            out.add((channel.strip(), user.strip()))
        return frozenset(out)
