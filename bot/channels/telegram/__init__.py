"""The Telegram channel (python-telegram-bot 22.x): translation only, no business rules.

- ``inbound``: Telegram updates -> the core's neutral events (``InboundMessage``,
  ``ButtonPress``, ``ChatMigrated``, ``BotAddedToChat``, ``BotRemovedFromChat``), with the
  group addressing facts the engine needs (reply to the bot, mention of the bot) and
  commands addressed to other bots dropped.
- ``outbound``: neutral messages -> Bot API calls: HTML with every piece of text escaped,
  splitting at line boundaries under Telegram's limits, inline keyboards whose
  ``callback_data`` is the ``Choice.data``, edits in place for answers to button presses.
- ``sender``: ``TelegramSender``, the outbox's ``ChannelSender``, mapping Telegram errors to
  ``DeliveryError`` (permanent for blocked / chat not found, transient otherwise).
- ``handlers``: ``TelegramChannel``, the PTB handlers (messages, edits, group migrations and
  the bot's membership, callback queries, errors) and the command menus.
- ``ratelimit``: the one rate limiter (``AIORateLimiter``, burst-free, plus a per-private-chat
  pace) and its figures.
- ``polling``: long polling that confirms updates only once handled.

The application itself (settings, services, scheduler, polling or webhook) is put together
in the composition root, ``bot.app``.
"""

CHANNEL = "telegram"
