"""Errors as RFC 9457 problem+json, in the caller's language."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from certbridge.api.deps import language
from certbridge.errors import DomainError, ValidationErrors
from certbridge.i18n.catalog import render

PROBLEM_TYPE = "https://certbridge.org/problems/"


class FieldProblem(BaseModel):
    """One field's problem."""

    field: str | None = Field(description="Dotted path of the field, e.g. holder.uscc")
    code: str = Field(description="Machine-readable code, e.g. uscc.check_character")
    message: str = Field(description="What is wrong and how to fix it, in the caller's language")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=[PROBLEM_TYPE + "certificate.transition"])
    title: str = Field(examples=["证书状态不允许该操作"])
    status: int = Field(examples=[409])
    detail: str = Field(examples=["证书当前为「撤销」，不能执行「暂停」"])
    code: str = Field(examples=["certificate.transition"])
    errors: list[FieldProblem] = Field(default_factory=list)


# Documented by reference, not as `"model": Problem`: FastAPI builds a validator for every response model of
# every route at start-up (~1,800 of them for these nine statuses), which was most of the start-up time.
# The Problem schema is added to the document's components in `_problem_openapi`.
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": desc, "content": {"application/problem+json": {"schema": _PROBLEM_REF}}}
    for status, desc in (
        (400, "Malformed request (e.g. a body that is not UTF-8)"),
        (401, "Not signed in or bad API key"),
        (403, "Not allowed for this principal"),
        (404, "Not found"),
        (409, "Refused by a domain rule or conflict"),
        (422, "Invalid input"),
        (413, "Request body too large"),
        (429, "Too many requests"),
        (503, "Busy: a write kept losing a lock race; retry after Retry-After"),
    )
}


def problem_response(status: int, code: str, detail: str, lang: str,
                     errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """Build a problem+json response."""
    body = {"type": PROBLEM_TYPE + code, "title": render(f"title.{status}", lang), "status": status,
            "detail": detail, "code": code, "errors": errors or []}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _field_of(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def _problem_openapi(app: FastAPI):
    """Return an openapi() that documents error bodies as application/problem+json only."""
    original = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status.startswith(("4", "5")) and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in Problem.model_json_schema(ref_template="#/components/schemas/{model}",
                                                          mode="serialization").get("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault("Problem", {k: v for k, v in Problem.model_json_schema(
            ref_template="#/components/schemas/{model}", mode="serialization").items() if k != "$defs"})
        for name in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(name, None)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                response = operation.get("responses", {}).get("422")
                if response is not None:
                    response["description"] = "Invalid input"
                    response["content"] = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        app.openapi_schema = schema
        return schema

    return openapi


def install_problem_handlers(app: FastAPI) -> None:
    """Route domain, validation and HTTP errors through one problem+json renderer."""
    app.openapi = _problem_openapi(app)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError):
        lang = language(request)
        errors = []
        if isinstance(exc, ValidationErrors):
            errors = [{"field": p.field, "code": p.code, "message": p.message(lang)} for p in exc.problems]
        elif exc.field:
            errors = [{"field": exc.field, "code": exc.code, "message": exc.message(lang)}]
        return problem_response(exc.status, exc.code, exc.message(lang), lang, errors,
                                headers=getattr(exc, "headers", None))  # e.g. Retry-After of a 429

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        lang = language(request)
        errors = []
        for err in exc.errors():
            field = _field_of(tuple(err.get("loc", ())))
            code = "validation." + err.get("type", "invalid")
            ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (str, int, float))}
            message = render(code, lang, field=field, **ctx)
            if message.startswith(code):
                message = render("validation.generic", lang, field=field, detail=err.get("msg", ""))
            errors.append({"field": field, "code": code, "message": message})
        detail = render("validation.failed", lang, count=len(errors))
        return problem_response(422, "validation.failed", detail, lang, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        lang = language(request)
        code = {404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, render(code, lang), lang, headers=getattr(exc, "headers", None))
