"""A Pydantic base for input schemas: every text field cleaned as it enters (see `kit.text_input`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator

from certbridge.kit.text_input import clean_mapping


class CleanInput(BaseModel):
    """Input model whose text fields lose invisible characters and whose identifier fields (number, uscc,
    registration_number, code …) are folded from full-width to half-width before validation."""

    @model_validator(mode="before")
    @classmethod
    def _clean_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return clean_mapping(data)
