"""The posted form as a dependency, so a form handler can be a plain `def` that runs in the thread pool.

Reading a request body is I/O and belongs on the event loop; everything a form handler does afterwards —
checking a password, reading and writing the database — must not. FastAPI resolves this async dependency on
the loop, then calls a synchronous handler in a worker thread with the form already read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def posted_form(request: Request) -> FormData:
    """Return the request's form fields and files (read once; Starlette keeps it for the request)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]
