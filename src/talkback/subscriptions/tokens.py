"""The signed tokens in subscription mails: confirm, unsubscribe, manage.

Nothing is stored for them: each is signed with the server's secret under its own salt, so
a token of one kind is worthless as another. A confirmation link expires (a week), so an
old mail found later cannot switch notifications on; unsubscribe and manage links never
expire, since a reader may want out of a subscription years after its last mail. An
unsubscribe token names one subscription and its address (ids can be reused by SQLite
after a deletion, an address with it cannot be someone else's); a manage token names one
address on one site.
"""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_SALT = "talkback.subscription.confirm"
UNSUBSCRIBE_SALT = "talkback.subscription.unsubscribe"
MANAGE_SALT = "talkback.subscription.manage"
CONFIRM_MAX_AGE_SECONDS = 7 * 24 * 3600


class LinkExpired(Exception):
    """A confirmation link older than its week."""


class LinkInvalid(Exception):
    """A token that was not signed here, or not for this purpose."""


def confirm_token(secret_key: str, subscription_id: int) -> str:
    return URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT).dumps(subscription_id)


def confirmed_subscription(secret_key: str, token: str) -> int:
    """The subscription a confirmation token names; raises LinkExpired or LinkInvalid."""
    try:
        value = URLSafeTimedSerializer(secret_key, salt=CONFIRM_SALT).loads(
            token, max_age=CONFIRM_MAX_AGE_SECONDS
        )
    except SignatureExpired as exc:
        raise LinkExpired from exc
    except BadSignature as exc:
        raise LinkInvalid from exc
    if not isinstance(value, int):
        raise LinkInvalid
    return value


def unsubscribe_token(secret_key: str, subscription_id: int, email: str) -> str:
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).dumps([subscription_id, email])


def unsubscribed(secret_key: str, token: str) -> tuple[int, str]:
    """(subscription id, address) an unsubscribe token names; raises LinkInvalid."""
    value = _loads(secret_key, UNSUBSCRIBE_SALT, token)
    match value:
        case [int(subscription_id), str(email)]:
            return subscription_id, email
    raise LinkInvalid


def manage_token(secret_key: str, site_id: str, email: str) -> str:
    return URLSafeSerializer(secret_key, salt=MANAGE_SALT).dumps([site_id, email])


def managed(secret_key: str, token: str) -> tuple[str, str]:
    """(site id, address) a manage token names; raises LinkInvalid."""
    value = _loads(secret_key, MANAGE_SALT, token)
    match value:
        case [str(site_id), str(email)]:
            return site_id, email
    raise LinkInvalid


def _loads(secret_key: str, salt: str, token: str) -> object:
    try:
        value: object = URLSafeSerializer(secret_key, salt=salt).loads(token)
    except BadSignature as exc:
        raise LinkInvalid from exc
    return value
