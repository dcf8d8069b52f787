"""AWS SNS message signatures (SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA), pure parts.

The certificate URL is checked (https, host `sns.<region>.amazonaws.com[.cn]`, a `.pem` path) before
anything is fetched; fetching and caching live in `ingest_svc.sns_certs`. A configured credential for an
SNS-fed source is the list of topic ARNs it accepts: a valid AWS signature alone only proves that *some*
AWS account sent the message.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ingest_svc.domain.verification.base import SignatureRejected, Verified

_HOST = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
MESSAGE_TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")


def is_sns(headers: dict[str, str], payload: Any) -> bool:
    """An SNS envelope (by header or by shape), as opposed to an EventBridge API-destination call."""
    if "x-amz-sns-message-type" in headers:
        return True
    return (
        isinstance(payload, dict) and "SignatureVersion" in payload and payload.get("Type") in MESSAGE_TYPES
    )


def check_sns_url(url: str, what: str = "URL") -> str:
    """Refuse any URL that is not https on an SNS endpoint of AWS (no port tricks, no credentials)."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise SignatureRejected(f"{what} must use https")
    try:
        port = parts.port
    except ValueError as exc:
        raise SignatureRejected(f"{what} has an invalid port") from exc
    if not parts.hostname or not _HOST.match(parts.hostname) or port not in (None, 443):
        raise SignatureRejected(f"{what} host is not sns.<region>.amazonaws.com")
    if parts.username or parts.password:
        raise SignatureRejected(f"{what} must not carry credentials")
    return url


def check_cert_url(url: str) -> str:
    """Refuse any signing-certificate URL that is not an https SNS endpoint of AWS, before fetching."""
    check_sns_url(url, "SigningCertURL")
    if not urlsplit(url).path.endswith(".pem"):
        raise SignatureRejected("SigningCertURL is not a certificate path")
    return url


def string_to_sign(message: dict[str, Any]) -> bytes:
    """The canonical `key\\nvalue\\n` string of the documented keys, in byte order, present ones only."""
    kind = message.get("Type")
    keys = _NOTIFICATION_KEYS if kind == "Notification" else _SUBSCRIPTION_KEYS
    out = []
    for key in keys:
        if key in message and message[key] is not None:
            value = message[key]
            if not isinstance(value, str):
                raise SignatureRejected(f"SNS field {key} is not a string")
            out.append(f"{key}\n{value}\n")
    return "".join(out).encode()


def envelope(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict) or payload.get("Type") not in MESSAGE_TYPES:
        raise SignatureRejected("not an SNS message")
    for key in ("Signature", "SignatureVersion", "SigningCertURL", "TopicArn", "MessageId"):
        if not isinstance(payload.get(key), str):
            raise SignatureRejected(f"SNS message lacks {key}")
    return payload


def verify_with_certificate(message: dict[str, Any], cert_pem: bytes, allowed_topics: list[str]) -> Verified:
    """Check the RSA signature with the (already fetched) certificate and the topic allow-list."""
    if not allowed_topics:
        raise SignatureRejected("no SNS topic ARN configured for this source")
    topic = message["TopicArn"]
    if topic not in allowed_topics:
        raise SignatureRejected("TopicArn is not one this source accepts")
    version = message["SignatureVersion"]
    algorithm: hashes.HashAlgorithm
    if version == "1":
        algorithm = hashes.SHA1()  # noqa: S303 - SNS SignatureVersion 1 is SHA1withRSA by definition
    elif version == "2":
        algorithm = hashes.SHA256()
    else:
        raise SignatureRejected(f"unsupported SignatureVersion {version!r}")
    try:
        signature = base64.b64decode(message["Signature"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SignatureRejected("Signature is not base64") from exc
    try:
        key = x509.load_pem_x509_certificate(cert_pem).public_key()
    except ValueError as exc:
        raise SignatureRejected("signing certificate is not a PEM certificate") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureRejected("signing certificate does not hold an RSA key")
    try:
        key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
    except InvalidSignature as exc:
        raise SignatureRejected("SNS signature does not match") from exc
    return Verified(f"sns-v{version}", allowed_topics.index(topic))
