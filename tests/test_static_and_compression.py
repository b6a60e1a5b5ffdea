"""Fingerprinted static files with a one-year immutable cache; compressed responses."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def page(client):
    return client.get("/auth/login").text


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_fingerprinted_assets(page):
    # The home-screen icon is fetched only when the racer adds the app, not on a visit.
    urls = [u for u in asset_urls(page) if "/icons/" not in u]
    assert len(urls) == 3  # app.css, htmx, app.js: nothing else on a first visit
    for url in urls:
        assert re.search(r"\.[0-9a-f]{10}\.(css|js)$", url), url
    assert re.search(r'<link rel="apple-touch-icon" href="/static/icons/[^"]+\.[0-9a-f]{10}\.png">',
                     page)


def test_fingerprinted_asset_is_cached_for_a_year(client, page):
    for url in asset_urls(page):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_stale_fingerprint_is_served_uncached(client):
    response = client.get("/static/app.0123456789.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


def test_unknown_static_file_is_404(client):
    assert client.get("/static/nothing.0123456789.css").status_code == 404
    assert client.get("/static/app.css").status_code == 404
    assert client.get("/static/../apex/db.0123456789.py").status_code == 404


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_html_and_assets_are_compressed(client, page, encoding):
    headers = {"Accept-Encoding": encoding}
    response = client.get("/auth/login", headers=headers)
    assert response.headers["Content-Encoding"] == encoding
    for url in asset_urls(page):
        assert client.get(url, headers=headers).headers["Content-Encoding"] == encoding


def test_htmx_is_the_vendored_2x_release(page):
    assert any(re.search(r"/static/vendor/htmx-2\.0\.\d+\.min\.[0-9a-f]{10}\.js$", u)
               for u in asset_urls(page))


def test_assets_do_not_vary_on_the_session_cookie(client, page):
    for url in asset_urls(page):
        response = client.get(url)
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers


def test_validation_errors_are_compressed_too(client):
    response = client.post("/auth/login", data={"login": "x" * 300, "password": "y"},
                           headers={"Accept-Encoding": "br", "HX-Request": "true",
                                    "HX-Target": "login-form"})
    assert response.status_code == 422
    assert response.headers["Content-Encoding"] == "br"
