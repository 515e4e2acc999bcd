"""Settings from the environment and ``.env`` (pydantic-settings); read once, in the app.

Every setting is documented in ``.env.example``. Nothing reads the environment at import:
``Settings()`` is built by the composition root (``bot.app``) only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
DEFAULT_HEALTH_PORT = 8440


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

    # Telegram (see .env.example and the README's Telegram section).
    telegram_base_url: str = Field(
        default="https://api.telegram.org/bot", alias="TELEGRAM_BASE_URL"
    )
    telegram_base_file_url: str = Field(
        default="https://api.telegram.org/file/bot", alias="TELEGRAM_BASE_FILE_URL"
    )
    telegram_webhook_url: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_listen: str = Field(default="127.0.0.1", alias="TELEGRAM_WEBHOOK_LISTEN")
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535, alias="TELEGRAM_WEBHOOK_PORT")
    telegram_webhook_path: str = Field(default="telegram", alias="TELEGRAM_WEBHOOK_PATH")
    telegram_webhook_secret: SecretStr | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_download_photos: bool = Field(default=False, alias="TELEGRAM_DOWNLOAD_PHOTOS")

    # Zalo (see .env.example and the README's Zalo section).
    zalo_base_url: str = Field(default="https://bot-api.zaloplatforms.com", alias="ZALO_BASE_URL")
    zalo_webhook_url: str | None = Field(default=None, alias="ZALO_WEBHOOK_URL")
    zalo_webhook_listen: str = Field(default="127.0.0.1", alias="ZALO_WEBHOOK_LISTEN")
    zalo_webhook_port: int = Field(default=8444, ge=1, le=65535, alias="ZALO_WEBHOOK_PORT")
    zalo_webhook_path: str = Field(default="zalo", alias="ZALO_WEBHOOK_PATH")
    zalo_webhook_secret: SecretStr | None = Field(default=None, alias="ZALO_WEBHOOK_SECRET")
    zalo_poll_timeout: int = Field(default=30, ge=1, le=120, alias="ZALO_POLL_TIMEOUT")
    zalo_monthly_quota: int = Field(default=3000, ge=0, alias="ZALO_MONTHLY_QUOTA")
    zalo_quota_warn_share: float = Field(default=0.8, gt=0, le=1, alias="ZALO_QUOTA_WARN_SHARE")
    zalo_rate: float = Field(default=5.0, gt=0, le=100, alias="ZALO_RATE")

    # Operations (see .env.example and the README's "Vận hành" section).
    log_format: str = Field(default="text", alias="BOT_LOG_FORMAT")
    backup_dir_path: Path | None = Field(default=None, alias="BOT_BACKUP_DIR")
    backup_every_hours: float = Field(
        default=24.0, ge=0, le=24 * 31, alias="BOT_BACKUP_EVERY_HOURS"
    )
    backup_keep_daily: int = Field(default=7, ge=1, le=3650, alias="BOT_BACKUP_KEEP_DAILY")
    backup_keep_weekly: int = Field(default=8, ge=0, le=520, alias="BOT_BACKUP_KEEP_WEEKLY")
    raw_text_days: int = Field(default=0, ge=0, alias="BOT_RAW_TEXT_DAYS")
    # Charts and Word/Excel files made in a short-lived child process, so their memory goes
    # back to the system (bot/services/exports/offload.py); 0 makes them in a thread.
    files_in_child: bool = Field(default=True, alias="BOT_FILES_IN_CHILD")
    health_listen: str = Field(default="127.0.0.1", alias="BOT_HEALTH_LISTEN")
    health_port: int | None = Field(default=None, ge=0, le=65535, alias="BOT_HEALTH_PORT")
    # Hostile and clumsy input (bot.services.flood, EngineConfig; docs/decisions.md):
    # more than BOT_FLOOD_BURST messages to the bot within BOT_FLOOD_BURST_SECONDS, or more
    # than BOT_FLOOD_SUSTAINED within BOT_FLOOD_SUSTAINED_SECONDS, from one person gets one
    # notice, then silence until it calms. BOT_FLOOD_BURST=0 turns flood control off.
    flood_burst: int = Field(default=5, ge=0, le=1000, alias="BOT_FLOOD_BURST")
    flood_burst_seconds: float = Field(default=3.0, gt=0, le=3600, alias="BOT_FLOOD_BURST_SECONDS")
    flood_sustained: int = Field(default=20, ge=1, le=10_000, alias="BOT_FLOOD_SUSTAINED")
    flood_sustained_seconds: float = Field(
        default=60.0, gt=0, le=86_400, alias="BOT_FLOOD_SUSTAINED_SECONDS"
    )
    max_text_chars: int = Field(default=20_000, ge=100, le=1_000_000, alias="BOT_MAX_TEXT_CHARS")
    max_template_chars: int = Field(
        default=200_000, ge=1000, le=5_000_000, alias="BOT_MAX_TEMPLATE_CHARS"
    )
    max_photos_per_report: int = Field(default=20, ge=1, le=500, alias="BOT_MAX_PHOTOS_PER_REPORT")
    max_photo_bytes: int = Field(
        default=10_000_000, ge=100_000, le=20_000_000, alias="BOT_MAX_PHOTO_BYTES"
    )

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

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, v: str) -> str:
        value = v.strip().lower()
        if value not in ("text", "json"):
            raise ValueError("BOT_LOG_FORMAT: chỉ nhận text (mặc định) hoặc json")
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _check_zalo_secret(cls, v: SecretStr | None) -> SecretStr | None:
        """The same alphabet as Telegram's, 8-256 characters (a guessable secret is none)."""
        if v is not None and v.get_secret_value():
            if not re.fullmatch(r"[A-Za-z0-9_-]{8,256}", v.get_secret_value()):
                raise ValueError("ZALO_WEBHOOK_SECRET: 8-256 ký tự gồm chữ không dấu, số, _ và -")
            return v
        return None

    @field_validator("zalo_webhook_url")
    @classmethod
    def _check_zalo_webhook_url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        if not v.startswith("https://") and not v.startswith("http://"):
            raise ValueError("ZALO_WEBHOOK_URL phải bắt đầu bằng https://")
        return v.strip()

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_secret(cls, v: SecretStr | None) -> SecretStr | None:
        """Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as the secret token."""
        if v is not None and v.get_secret_value():
            if not _SECRET.fullmatch(v.get_secret_value()):
                raise ValueError(
                    "TELEGRAM_WEBHOOK_SECRET: 1-256 ký tự gồm chữ không dấu, số, _ và -"
                )
            return v
        return None

    @field_validator("telegram_webhook_url")
    @classmethod
    def _check_webhook_url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        if not v.startswith("https://") and not v.startswith("http://"):
            raise ValueError("TELEGRAM_WEBHOOK_URL phải bắt đầu bằng https://")
        return v.strip()

    @property
    def telegram_webhook(self) -> bool:
        """Webhook mode when a public URL is set; long polling otherwise."""
        return self.telegram_webhook_url is not None

    @property
    def zalo_webhook(self) -> bool:
        """Zalo webhook mode when a public URL is set; long polling otherwise (never both)."""
        return self.zalo_webhook_url is not None

    @property
    def has_telegram(self) -> bool:
        return bool(self.telegram_token and self.telegram_token.get_secret_value())

    @property
    def has_zalo(self) -> bool:
        return bool(self.zalo_token and self.zalo_token.get_secret_value())

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def backup_dir(self) -> Path:
        """Where scheduled and requested backups go; default: beside the database."""
        return self.backup_dir_path or self.database.parent / "backups"

    @property
    def health_port_effective(self) -> int:
        """The health endpoint's port, 0 when it is off: by default on (8440) whenever a
        channel receives by webhook, off in long polling; ``BOT_HEALTH_PORT`` decides
        otherwise (0 turns it off)."""
        if self.health_port is not None:
            return self.health_port
        webhook = (self.has_telegram and self.telegram_webhook) or (
            self.has_zalo and self.zalo_webhook
        )
        return DEFAULT_HEALTH_PORT if webhook else 0

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
