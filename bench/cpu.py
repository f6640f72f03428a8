"""Python's CPU time per request, in this process, for the pages issue 16 is about.

    DATABASE_URL=postgres://... REDIS_URL=redis://.../n python bench/cpu.py [--batches 25]

Requests go through Django's WSGI handler with production settings (bench/common.py), as
gunicorn's workers run them, on a database that `generate_demo_data` filled (the `make
bench` small size: `--rounds 200 --members 12 --answers-per-question 3 --seed 1`). Each
page is asked for once to fill the caches, then in `--batches` batches of `--size`; the
least batch's mean is printed (the machine is shared: the least is the one least disturbed).
PostgreSQL's and Redis' own work is not in these figures; a wrk run (`make bench`) is.
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import production_settings, signed_in_member  # noqa: E402  (not a package)


def environ(path, cookie=None):
    path, _, query = path.partition("?")
    env = {
        "REQUEST_METHOD": "GET",
        # WSGI's strings are bytes as latin-1; a member's name is UTF-8 in the address.
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if cookie:
        env["HTTP_COOKIE"] = cookie
    return env


def pages():
    """(label, path, signed in): the pages `make bench` drives, at the same places."""
    from qa.models import Answer, Member, Round

    newest = Round.objects.visible().order_by("-number").first()
    middle = Round.objects.get(number=max(1, newest.number // 2))
    answer = Answer.objects.filter(question__round=middle).order_by("pk").first()
    member = Member.objects.order_by("pk").first()
    board, question = f"/rounds/{middle.number}/", f"/questions/{answer.question_id}/"
    member_page = f"/members/{quote(member.name)}/"
    return [
        ("/healthz", "/healthz", False),
        ("a round's board, visitor", board, False),
        ("a round's board, signed in", board, True),
        # This week's, taking answers: the reader may pick, so each question is asked.
        ("this week's board, signed in", "/", True),
        ("a question page, signed in", question, True),
        ("a member page, visitor", member_page, False),
        ("a member page, signed in", member_page, True),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=25)
    parser.add_argument("--size", type=int, default=8)
    parser.add_argument("--only", metavar="LABEL", help="only the pages whose label has LABEL")
    parser.add_argument(
        "--profile", metavar="LABEL", help="cProfile the page whose label starts with LABEL"
    )
    args = parser.parse_args()
    production_settings(
        os.environ["DATABASE_URL"], os.environ["REDIS_URL"], RATELIMIT_ENABLE="0"
    )
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    # Production settings serve hashed static names, from the manifest this writes.
    call_command("collectstatic", "--noinput", verbosity=0)
    cache.clear()
    _client, cookie = signed_in_member()
    handler = get_wsgi_application()

    def get(path, signed_in):
        status = []
        body = handler(environ(path, cookie if signed_in else None), lambda s, h: status.append(s))
        content = b"".join(body)
        if hasattr(body, "close"):
            body.close()
        assert status[0].startswith("200"), (path, status[0])
        return content

    for label, path, signed_in in pages():
        if args.only and args.only not in label and label != "/healthz":
            continue
        get(path, signed_in)
        get(path, signed_in)
        if args.profile:
            if label.startswith(args.profile):
                _profile(get, path, signed_in, args.batches * args.size)
            continue
        best = min(
            _batch(get, path, signed_in, args.size) for _ in range(args.batches)
        )
        print(f"{label:32} {best * 1000:6.2f} ms", flush=True)


def _batch(get, path, signed_in, size):
    started = time.process_time()
    for _ in range(size):
        get(path, signed_in)
    return (time.process_time() - started) / size


def _profile(get, path, signed_in, requests):
    import cProfile
    import pstats

    profile = cProfile.Profile(time.process_time)  # CPU, as the figures: not the waits
    profile.enable()
    for _ in range(requests):
        get(path, signed_in)
    profile.disable()
    stats = pstats.Stats(profile).sort_stats("tottime")
    stats.print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
