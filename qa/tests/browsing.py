"""What the browser tests share: the demo week, browsers signed in as members, the editor."""

import os
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from qa.models import Member

from .factories import UserFactory


def missing_browser_tool(message):
    """Skip a browser test whose tool is not installed; under REQUIRE_BROWSER=1 (CI), fail."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def load_demo_week():
    """The sample week as round 1 (answering): four members' lists, four 👀, four answers."""
    call_command("load_demo", stdout=StringIO())


def member_account(name, *, staff=False):
    """A login for the member called `name`, created if the week has no such member."""
    # No password: hashing one costs most of a test's time, and force_login needs none.
    user = UserFactory(username=name, is_staff=staff, is_superuser=staff, password=None)
    member, _ = Member.objects.get_or_create(name=name)
    member.user = user
    member.save(update_fields=["user"])
    return user


def sign_in(context, live_server, user):
    """Give a browser context the session cookie of a signed-in user, without the login page."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


def page_overflow(page):
    """How many pixels the page itself scrolls sideways; tables and code scroll in their box."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# An answer like the demo's: a GitHub table and fenced code, with a line too long for a phone.
ANSWER_WITH_TABLE_AND_CODE = """\
## L4와 L7의 차이

| 구분 | L4 로드 밸런서 | L7 로드 밸런서 |
|---|---|---|
| 계층 | 전송 계층 (TCP/UDP) | 응용 계층 (HTTP/HTTPS) |
| 분배 기준 | IP 주소와 포트 번호 | URL, 헤더, 쿠키 같은 요청 내용 |

```python
def pick_server(request, servers):
    return servers[hash(request.headers["Cookie"]) % len(servers)]  # 같은 사용자는 같은 서버로
```
"""


def write_in_editor(page, text):
    """Type an answer into the editor and wait until the live preview has rendered it."""
    page.locator(".markdownx textarea").fill(text)
    page.locator(".markdownx-preview table").wait_for()
