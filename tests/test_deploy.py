"""deploy/ agrees with the code: every variable it sets is a real setting, and the files
parse. (The linters themselves run in .ci/run: hadolint, kubernetes-validate, systemd.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.config import SETTINGS

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
KNOWN = {s.env for s in SETTINGS} | {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
# Read by other services in compose.yaml, not by the bot.
OTHERS = {"DOMAIN", "TELEGRAM_API_ID", "TELEGRAM_API_HASH"}


def test_dockerfile_sets_only_real_settings_and_runs_as_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    names = set(re.findall(r"([A-Z_]+)=", text[text.index("FROM python:3.11-slim-bookworm\n") :]))
    assert names <= KNOWN, names - KNOWN
    assert "USER 10001" in text and "HEALTHCHECK" in text and 'ENTRYPOINT ["excerpt-bot"]' in text


def test_env_example_and_k8s_config_use_real_settings() -> None:
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^#?\s*([A-Z_]+)=", example, re.M))
    assert names <= KNOWN | OTHERS, names - KNOWN - OTHERS
    config = yaml.safe_load((DEPLOY / "k8s" / "configmap.yaml").read_text(encoding="utf-8"))
    assert set(config["data"]) <= KNOWN
    secret = yaml.safe_load((DEPLOY / "k8s" / "secret.example.yaml").read_text(encoding="utf-8"))
    assert set(secret["stringData"]) <= KNOWN


def test_compose_profiles_and_the_webhook_path_agree() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert "profiles" not in services["bot"]  # polling is what `up` runs by default
    assert services["caddy"]["profiles"] == ["webhook"]
    assert services["telegram-bot-api"]["profiles"] == ["local-api"]
    assert services["bot"]["read_only"] is True
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    assert "handle /telegram/*" in caddy and "bot:8080" in caddy
    config = yaml.safe_load((DEPLOY / "k8s" / "configmap.yaml").read_text(encoding="utf-8"))
    ingress = yaml.safe_load((DEPLOY / "k8s" / "ingress.yaml").read_text(encoding="utf-8"))
    path = ingress["spec"]["rules"][0]["http"]["paths"][0]["path"]
    assert config["data"]["WEBHOOK_URL"].endswith(path)


def test_k8s_replicas_are_probed_non_root_and_read_only() -> None:
    deployment = yaml.safe_load((DEPLOY / "k8s" / "deployment.yaml").read_text(encoding="utf-8"))
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["limits"]["memory"]
    # SIGTERM gives in-flight updates 10 s; the pod must be given longer than that.
    assert pod["terminationGracePeriodSeconds"] > 10


def test_systemd_unit_is_hardened() -> None:
    unit = (DEPLOY / "excerpt-bot.service").read_text(encoding="utf-8")
    for line in (
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "StateDirectory=excerpt-bot",
        "EnvironmentFile=/etc/excerpt-bot/env",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
    ):
        assert line in unit
