"""Every page carries a strict Content-Security-Policy and a Permissions-Policy."""

import pytest

from .factories import QuestionFactory, RoundFactory
from .people import sign_in

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_pages_forbid_inline_and_foreign_scripts_and_styles(client, signed_in):
    question = QuestionFactory(round=RoundFactory(number=1))
    client = sign_in("bee") if signed_in else client
    for path in ["/", "/rounds/1/", question.get_absolute_url(), "/search/?q=x", "/admin/login/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_a_cached_visitor_page_keeps_its_headers(client):
    RoundFactory(number=1)
    client.get("/rounds/1/")  # renders and caches
    cached = client.get("/rounds/1/")
    assert "script-src 'self'" in cached["Content-Security-Policy"]
    assert cached["Permissions-Policy"]
