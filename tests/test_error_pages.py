"""Errors a browser sees are pages in the visitor's language (Indonesian first), with a way
back: never werkzeug's English-only text or a bare "The CSRF token is missing."."""

from __future__ import annotations

from typing import Any

import pytest

from loket.server.app import create_app


@pytest.mark.parametrize(("lang", "words"), [("id", "Tidak ditemukan."), ("en", "Not found.")])
def test_a_missing_page_answers_in_the_visitors_language(client: Any, lang: str,
                                                         words: str) -> None:
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and f"<h1>{words}</h1>" in page
    assert "Not Found</h1>" not in page  # werkzeug's own page


def test_a_form_without_its_csrf_token_gets_an_indonesian_page(config: Any) -> None:
    app = create_app(config, async_mode="threading", testing=True,
                     overrides={"WTF_CSRF_ENABLED": True})
    response = app.test_client().post("/login", data={"username": "x", "password": "y"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Sesi formulir kedaluwarsa" in page
    assert "CSRF token" not in page


def test_a_wrong_method_keeps_its_allow_header(client: Any) -> None:
    response = client.put("/login")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Metode tidak diizinkan." in response.get_data(as_text=True)


def test_markup_in_the_message_is_escaped(client: Any) -> None:
    page = client.get("/<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>" not in page
