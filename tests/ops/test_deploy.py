"""The deploy/ files stay in step with the code: the systemd unit is hardened and runs the
real command; nginx forwards to the bot's default ports with the secret headers; every
setting is documented in .env.example."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from bot.channels.zalo.webhook import SECRET_HEADER as ZALO_SECRET_HEADER
from bot.config import DEFAULT_HEALTH_PORT, Settings

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "reporting-bot.service"
NGINX = ROOT / "deploy" / "nginx-reporting-bot.conf"


def _unit() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "[")):
            continue
        key, _, value = line.partition("=")
        found.setdefault(key, []).append(value)
    return found


def test_the_unit_is_hardened() -> None:
    unit = _unit()
    required = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "Restart": "on-failure",
        "UMask": "0077",
        "User": "reporting-bot",
    }
    for key, value in required.items():
        assert unit.get(key) == [value], key
    assert unit["RestrictAddressFamilies"] == ["AF_INET AF_INET6 AF_UNIX"]
    assert unit["ReadWritePaths"] == ["/var/lib/reporting-bot"]
    assert unit["StateDirectory"] == ["reporting-bot"]
    assert unit["WorkingDirectory"] == ["/var/lib/reporting-bot"]
    assert unit["EnvironmentFile"] == ["/etc/reporting-bot/bot.env"]
    assert re.fullmatch(r"\d+M", unit["MemoryMax"][0])
    assert unit["CapabilityBoundingSet"] == [""]
    assert unit["KillSignal"] == ["SIGTERM"]
    assert unit["ExecStart"] == ["/opt/reporting-bot/.venv/bin/python -m bot run"]


def test_nginx_forwards_to_the_default_ports_with_the_secrets() -> None:
    text = NGINX.read_text(encoding="utf-8")
    defaults = Settings(_env_file=None)
    telegram = f"proxy_pass http://127.0.0.1:{defaults.telegram_webhook_port}/{defaults.telegram_webhook_path};"
    zalo = f"proxy_pass http://127.0.0.1:{defaults.zalo_webhook_port}/{defaults.zalo_webhook_path};"
    health = f"proxy_pass http://127.0.0.1:{DEFAULT_HEALTH_PORT}/healthz;"
    for line in (telegram, zalo, health):
        assert line in text, line
    assert "X-Telegram-Bot-Api-Secret-Token $http_x_telegram_bot_api_secret_token;" in text
    header = ZALO_SECRET_HEADER.lower().replace("-", "_")
    assert f"{ZALO_SECRET_HEADER} $http_{header};" in text
    assert "ssl_certificate " in text and "listen 443 ssl;" in text
    health_block = text.split("location = /healthz", 1)[1].split("}", 1)[0]
    assert "deny all;" in health_block and "allow 127.0.0.1;" in health_block


def test_every_setting_is_in_env_example() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    aliases = [f.alias for f in Settings.model_fields.values() if f.alias]
    missing = [a for a in aliases if not re.search(rf"^#?{a}=", text, re.MULTILINE)]
    assert missing == []


def test_the_wrapper_is_a_valid_shell_script_that_needs_root() -> None:
    wrapper = ROOT / "deploy" / "reporting-bot"
    assert subprocess.run(["sh", "-n", str(wrapper)], check=False).returncode == 0
    text = wrapper.read_text(encoding="utf-8")
    assert 'exec runuser -u "$RUN_AS" -- "$APP/.venv/bin/python" -m bot "$@"' in text
    assert "/etc/reporting-bot/bot.env" in text and "/var/lib/reporting-bot" in text
