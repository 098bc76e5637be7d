"""Lists say how many they hold and sort by the columns people expect; the sort is kept from page to page."""

from __future__ import annotations

import html
import re

from tests.web.conftest import issue_to_two_holders_named_alike


def _numbers(page: str) -> list[str]:
    return re.findall(r'<span class="mono">(00126Q[^<]+)</span>', page)


def _link(page: str, label: str) -> str:
    return html.unescape(re.search(r'<a href="([^"]+)"[^>]*>' + label, page).group(1))


def test_search_results_have_a_total_and_sort_by_number_across_pages(client, make_certificate):
    made = issue_to_two_holders_named_alike(make_certificate, 25, 731)
    first = client.get("/", params={"q": "示例电子", "sort": "-number"}).text
    assert "共 25 条" in first
    assert _numbers(first) == sorted(made, reverse=True)[:20]
    second = client.get(_link(first, "下一页")).text
    assert "sort=-number" in _link(first, "下一页")
    assert _numbers(second) == sorted(made, reverse=True)[20:]
    ascending = client.get(_link(first, "证书编号")).text  # the current column's link turns the order around
    assert _numbers(ascending) == sorted(made)[:20]


def test_a_bad_sort_or_page_is_a_message_not_a_crash(client):
    page = client.get("/", params={"q": "示例", "sort": "price"})
    assert page.status_code == 200 and "无法按「price」排序" in page.text
    assert "页码应在" in client.get("/", params={"q": "示例", "sort": "number", "page": "0"}).text


def test_the_console_list_counts_and_sorts(client, signed_in, make_certificate):
    made = issue_to_two_holders_named_alike(make_certificate, 3, 732)
    signed_in("cb_a")
    page = client.get("/cb", params={"sort": "number"}).text
    assert re.search(r"共 \d+ 条", page)
    mine = [n for n in re.findall(r'class="mono" href="/cb/certificates/\d+">([^<]+)<', page)]
    assert mine == sorted(mine) and set(made) <= set(mine)


def test_the_api_gives_a_total_and_a_sorted_order_on_request(client, make_certificate):
    made = issue_to_two_holders_named_alike(make_certificate, 5, 733)
    out = client.get("/api/v1/certificates", params={"q": "示例电子", "sort": "number", "total": "true",
                                                     "limit": 3}).json()
    assert out["total"] == 5 and out["total_capped"] is False
    rest = client.get("/api/v1/certificates", params={"q": "示例电子", "sort": "number", "limit": 3,
                                                      "cursor": out["next_cursor"]}).json()
    assert [c["number"] for c in out["items"] + rest["items"]] == sorted(made)
    assert rest["next_cursor"] is None and "total" not in rest or rest["total"] is None
    assert client.get("/api/v1/certificates", params={"sort": "price"}).status_code == 422


def test_regulator_registers_show_their_size(client, signed_in):
    signed_in("regulator")
    for path in ("/regulator/bodies", "/regulator/labs", "/regulator/people", "/regulator/restrictions",
                 "/regulator/reports"):
        assert re.search(r"共 [\d,]+ 条", client.get(path).text), path
