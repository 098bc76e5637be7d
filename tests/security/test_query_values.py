"""api/query.py reads a request's query values and language as Starlette's `Request` does, on awkward inputs too.

GET /verify reads its parameters and the caller's language with these (both on the lean path and behind FastAPI),
so a difference from Starlette's reading would change the answer on both paths alike, unseen by the lean-path
equality tests: here each reading is compared with Starlette's own, and with the language rules as users see them.
"""

from __future__ import annotations

import pytest
from starlette.requests import Request

from certbridge.api.query import query_values, scope_language
from certbridge.i18n.catalog import pick_language

QUERIES = [b"", b"number=00126Q26101R0M%2F4500", b"number=a+b&number=c", b"number=%E8%AF%81%E4%B9%A6", b"number=%ZZ",
           b"number=%E8", b"&&number=x&", b"number", b"number=&body=00126", b"=x", b"a%3Db=c%26d", b"number=x=y",
           b"number=\xe8\xaf\x81", b"lang=en&lang=zh", b"lang=", b"n+u%2Bm=1", b"number=a;body=b", b"number=x%00y"]


def _scope(query: bytes, headers: list[tuple[bytes, bytes]] = ()) -> dict:
    return {"type": "http", "method": "GET", "path": "/api/v1/verify", "query_string": query, "headers": list(headers)}


@pytest.mark.parametrize("query", QUERIES)
def test_query_values_are_starlettes(query):
    params = Request(_scope(query)).query_params
    assert query_values(_scope(query)) == {name: params[name] for name in params}


def _starlette_language(scope, default: str) -> str:
    """The language as certbridge read it before api/query.py, through Starlette's Request."""
    request = Request(scope)
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in ("zh", "en"):
        return lang
    return pick_language(request.headers.get("accept-language"), default)


HEADERS = [[], [(b"accept-language", b"en-US,en;q=0.9")], [(b"accept-language", b"")],
           [(b"accept-language", b"fr"), (b"accept-language", b"en")], [(b"cookie", b"lang=en")],
           [(b"cookie", b"a=1; lang=en; b=2")], [(b"cookie", b"lang=fr"), (b"accept-language", b"en")],
           [(b"cookie", b"x=1"), (b"cookie", b"lang=en")], [(b"cookie", b"lang=en"), (b"accept-language", b"zh-CN")],
           [(b"cookie", b'lang="en"')], [(b"cookie", b"")]]


@pytest.mark.parametrize("headers", HEADERS)
@pytest.mark.parametrize("query", [b"", b"lang=en", b"lang=zh", b"lang=fr", b"lang=", b"lang=en&lang=de", b"number=x"])
@pytest.mark.parametrize("default", ["zh", "en"])
def test_language_is_starlettes(headers, query, default):
    scope = _scope(query, headers)
    assert scope_language(scope, query_values(scope), default) == _starlette_language(scope, default)


def test_language_rules_as_a_user_sees_them():
    english = [(b"accept-language", b"en-GB,en;q=0.8")]
    assert scope_language(_scope(b""), {}, "zh") == "zh"
    assert scope_language(_scope(b"", english), {}, "zh") == "en"
    assert scope_language(_scope(b"", [(b"cookie", b"lang=zh"), *english]), {}, "en") == "zh"  # the cookie first
    assert scope_language(_scope(b"lang=en", [(b"cookie", b"lang=zh")]), {"lang": "en"}, "zh") == "en"  # ?lang=
