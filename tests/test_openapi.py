"""The OpenAPI document is complete: every operation described, errors documented as problem+json."""

from __future__ import annotations


def test_every_operation_has_summary_description_and_problem_errors(client):
    doc = client.get("/openapi.json").json()
    problems = []
    for path, operations in doc["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            if not op.get("summary") or not op.get("description"):
                problems.append(f"{where}: summary and description (docstring) needed")
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    content = response.get("content", {})
                    if set(content) != {"application/problem+json"}:
                        problems.append(f"{where}: {status} must be application/problem+json")
            if method in ("post", "patch", "put", "delete") and "401" not in op["responses"]:
                problems.append(f"{where}: writes must document 401")
    assert not problems, "\n".join(problems)


def test_core_inputs_carry_examples(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["CertificateIn"]["properties"]["number"]["examples"]
    assert schemas["HolderIn"]["properties"]["uscc"]["examples"]
    assert schemas["Problem"]["properties"]["detail"]["examples"]


def test_errors_come_as_problem_json_in_the_callers_language(client):
    zh = client.get("/api/v1/certificates/999999")
    assert zh.status_code == 404 and zh.headers["content-type"] == "application/problem+json"
    assert zh.json()["detail"] == "找不到证书 999999"
    en = client.get("/api/v1/certificates/999999", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert en.json()["detail"] == "No certificate 999999"
    assert client.get("/api/v1/nowhere").json()["code"] == "not_found"
