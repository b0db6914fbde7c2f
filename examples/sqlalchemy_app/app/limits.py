"""A cap on the size of request bodies (MAX_BODY_BYTES).

Without one, a client can make the app hold any body in memory: the length
checks of the schemas run only once the whole body is read and parsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "Request body too large"
# The server would otherwise read the rest of the body, to reuse the connection.
CLOSE = {"Connection": "close"}


class BodySizeLimitMiddleware:
    """413 for a body over `max_bytes`, before more than that is read.

    A declared `Content-Length` over the limit is refused before a byte is
    read. Otherwise the bytes are counted as they arrive (a chunked body
    declares no length), and the read fails with a 413 once they pass the
    limit. Either way the connection is closed after the answer, so the rest
    is never read.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse(
                {"detail": TOO_LARGE},
                status_code=status.HTTP_413_CONTENT_TOO_LARGE,
                headers=CLOSE,
            )
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI passes an HTTPException raised while it reads
                    # the body on to its handler, which answers with it.
                    raise HTTPException(
                        status.HTTP_413_CONTENT_TOO_LARGE, TOO_LARGE, headers=CLOSE
                    )
            return message

        await self.app(scope, counting_receive, send)
