"""Webhook authenticity: one module per vendor scheme, all pure and constant-time.

Every scheme exposes `verify(request, secrets, now) -> Verified` (raising `SignatureRejected`)
and `sign(secret, body, now) -> headers` so `emctl send` and the tests sign exactly as vendors do.
"""
