"""Switching the interface language with a link."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_link_sets_the_language_and_goes_back(client):
    response = client.get("/language/en/", {"next": "/rounds/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/rounds/?page=2"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "All rounds" in client.get("/rounds/").content.decode()
    client.get("/language/ko/")
    assert "전체 주차" in client.get("/rounds/").content.decode()


def test_every_page_links_to_each_language_with_the_way_back(client):
    html = client.get("/rounds/").content.decode()
    assert 'href="/language/en/?next=/rounds/"' in html
    assert 'href="/language/ko/?next=/rounds/"' in html and 'aria-current="true">한국어' in html


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", ""])
def test_it_never_sends_the_reader_off_the_site(client, next_url):
    response = client.get("/language/en/", {"next": next_url})
    assert response["Location"] == "/"


def test_unknown_languages_are_not_found(client):
    response = client.get("/language/xx/")
    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_post_is_refused(client):
    assert client.post("/language/en/").status_code == 405


def test_a_round_is_called_jucha_everywhere_in_korean():
    # One word for a round (주차), in every translation and every template: not also 회차.
    from gettext import GNUTranslations
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    with open(root / "locale/ko/LC_MESSAGES/django.mo", "rb") as compiled:
        catalog = GNUTranslations(compiled)._catalog
    assert "%(number)d주차" == catalog["Round %(number)d"]
    assert not [text for text in catalog.values() if "회차" in text]
    templates = [*(root / "templates").rglob("*.html"), *(root / "qa").rglob("*.html")]
    assert templates and not [t for t in templates if "회차" in t.read_text()]
