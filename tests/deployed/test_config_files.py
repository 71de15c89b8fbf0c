"""The nginx file and the gunicorn flags tests/deployed runs are the ones DEPLOY.md shows."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.deployed.stack import (
    NGINX_CONF,
    Nginx,
    Site,
    documented_gunicorn_flags,
    documented_nginx_block,
    nginx_path,
    self_signed_certificate,
    site_config,
)
from tests.scale.live import require_service

pytestmark = pytest.mark.deployed

PLACEHOLDERS = (
    "screening.example.org",
    "/etc/letsencrypt",
    "/srv/threshold",
    "/var/log/nginx",
    "127.0.0.1:8000",
    "listen 80;",
    "listen 443",
)


def example_site(tmp_path) -> Site:  # type: ignore[no-untyped-def]
    """Site values pointing into `tmp_path`."""
    return Site(
        http_port=18080,
        https_port=18443,
        upstream_port=18000,
        certificate=tmp_path / "cert.pem",
        certificate_key=tmp_path / "key.pem",
        access_log=tmp_path / "access.log",
    )


def test_deploy_doc_shows_the_tested_nginx_file_verbatim():
    assert documented_nginx_block() == NGINX_CONF.read_text(encoding="utf-8")


def test_every_deployment_value_in_the_nginx_file_is_replaced(tmp_path):
    rendered = site_config(example_site(tmp_path))
    assert [value for value in PLACEHOLDERS if value in rendered] == []
    assert "proxy_pass http://127.0.0.1:18000;" in rendered


def test_a_renamed_value_in_the_nginx_file_fails_the_substitution(tmp_path):
    renamed = NGINX_CONF.read_text(encoding="utf-8").replace("listen 443 ssl", "listen 8443 ssl")
    with pytest.raises(AssertionError, match="listen 443 ssl"):
        site_config(example_site(tmp_path), renamed)


def test_gunicorn_runs_with_the_documented_proxy_flags():
    flags = documented_gunicorn_flags()
    assert flags[flags.index("--forwarded-allow-ips") + 1] == "127.0.0.1"
    assert flags[flags.index("--worker-class") + 1] == "gthread"
    assert "--no-control-socket" in flags
    # The access log format carries no path (%(U)s, %(r)s) and no Referer (%(f)s).
    log_format = flags[flags.index("--access-logformat") + 1]
    assert not any(code in log_format for code in ("%(U)s", "%(r)s", "%(f)s", "%(q)s"))


def test_nginx_accepts_the_rendered_configuration(tmp_path):
    require_service(nginx_path() is not None, "nginx (apt-get install nginx)")
    require_service(shutil.which("openssl") is not None, "openssl")
    site = example_site(tmp_path)
    site.certificate, site.certificate_key = self_signed_certificate(tmp_path, "localhost")
    nginx = Nginx(tmp_path, site)
    nginx.write_config()  # runs `nginx -t`
    checked = subprocess.run(nginx.command("-T"), capture_output=True, text=True, timeout=30)
    assert "log_format threshold" in checked.stdout


def test_nginx_access_log_format_has_no_path_and_no_referer():
    text = NGINX_CONF.read_text(encoding="utf-8")
    log_format = text[
        text.index("log_format threshold") : text.index(";", text.index("log_format"))
    ]
    assert "$request_method" in log_format
    for variable in ("$request ", "$request'", "$request_uri", "$uri", "$args", "$http_referer"):
        assert variable not in log_format, variable
