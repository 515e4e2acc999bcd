"""The Zalo channel (Zalo Bot API, our own small httpx client): translation only.

- ``client``: ``ZaloClient``, one shared ``httpx.AsyncClient``; every answer's ``ok`` checked;
  ``ZaloClientError`` (the request itself is wrong: never retried) and
  ``ZaloTransientError`` (429, 5xx, network, a garbled answer: try again later); the idle
  long-poll answer (HTTP 408 or ``error_code`` 408) is an empty result, not an error.
- ``inbound``: Zalo events (``{event_name, message}``, bare or wrapped in ``{ok, result}``)
  -> the core's neutral ``InboundMessage``; unknown events and fields are tolerated.
- ``outbound``: neutral messages -> plain text parts under 2000 characters; choices as
  numbered lines ("1. Xác nhận") since Zalo has no buttons; no edits.
- ``sender``: ``ZaloSender``, the outbox's ``ChannelSender``, errors -> ``DeliveryError``.
- ``channel``: ``ZaloChannel``: event -> engine -> replies, bot's own messages dropped.
- ``polling`` / ``webhook``: the two ways in (never both).

Facts about the API come from public client code and documentation, not from a live bot;
where they are uncertain the code accepts every shape seen (see docs/decisions.md, Zalo).
"""

CHANNEL = "zalo"
TEXT_LIMIT = 2000  # characters per sendMessage (documented limit)
