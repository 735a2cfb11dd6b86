"""Who may read `/metrics`.

Metrics hold no reader's data, but they describe the service (traffic by route, queue
depths, the outbox's backlog) and a scrape costs a database count, so they are not
public by default: without `TALKBACK_METRICS_TOKEN`, only loopback clients (an agent on
the node itself) may scrape; with it, any client that sends it as a bearer token, which
is how a Prometheus server elsewhere scrapes (`authorization: {credentials: …}`).

The client address is the one uvicorn settled on after `X-Forwarded-For` from a trusted
proxy (`serve` trusts the proxy on 127.0.0.1), so a reader coming through a local nginx
is not "loopback". A proxy that forwards /metrics without that header would make every
scrape look local: deployments either block /metrics at the proxy or set the token.
"""

from __future__ import annotations

import hmac
from ipaddress import ip_address

from pydantic import SecretStr

from talkback.errors import Forbidden, Unauthorized


def check_scraper(token: SecretStr | None, authorization: str | None, client: str | None) -> None:
    """Raise unless this client may scrape: the right bearer token when one is set,
    else a loopback address."""
    if token is not None:
        scheme, _, credentials = (authorization or "").partition(" ")
        expected = token.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            credentials.strip().encode(), expected
        ):
            raise Unauthorized(
                "metrics need `Authorization: Bearer <TALKBACK_METRICS_TOKEN>`",
                code="metrics_token_required",
            )
        return
    if not _loopback(client):
        raise Forbidden(
            "metrics are served to loopback clients only; set TALKBACK_METRICS_TOKEN "
            "to scrape from elsewhere",
            code="metrics_loopback_only",
        )


def _loopback(client: str | None) -> bool:
    try:
        return client is not None and ip_address(client).is_loopback
    except ValueError:  # a Unix socket's peer, or a name: not an address we can trust
        return False
