"""The client address that logins are counted against."""

from __future__ import annotations

from ipaddress import ip_address
from typing import Annotated

from fastapi import Depends, Request

from app.config import settings


def client_address(request: Request) -> str:
    """The address of the client, as far as it can be trusted.

    It is the connection's peer, as the server reports it. Behind
    TRUSTED_PROXY_HOPS proxies, each of which appends the address it was
    reached from to X-Forwarded-For, the client is that many entries from the
    right: whatever the client wrote further left is ignored, since it could
    be anything. With no such proxies (0, the default) the header is never
    read.
    """
    peer = request.client.host if request.client else "unknown"
    hops = settings.trusted_proxy_hops
    if hops == 0:
        return peer
    forwarded = [
        entry.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for entry in header.split(",")
    ]
    if len(forwarded) < hops:
        return peer
    try:
        return str(ip_address(forwarded[-hops]))
    except ValueError:
        return peer


ClientAddress = Annotated[str, Depends(client_address)]
