"""The sandbox channel: an interactive console chat and a deterministic transcript player.

It translates typed lines into the same neutral events Telegram and Zalo produce, and prints
what the bot sends, including everything that leaves through the outbox (prompts, reminders,
digests). Transcript format (kept stable; see docs/huong-dan.md):

    # comment
    @clock 2026-11-27 08:00          set the sandbox clock (Asia/Ho_Chi_Minh); runs what is due
    @tick                            run what is due without moving the clock
    @owner 1001                      make a declared user a bot owner (sandbox only)
    @user 1001 Nguyễn Văn An          declare a user: id and display name
    @chat g1 group Nhóm MTT-CTXH      declare a chat: id, group|private, title
    1001 @ g1: /help                  user 1001 sends a message in chat g1
    1002 @ dm: first line             'dm' is that user's private chat with the bot
      second line of the same message (indented continuation)
    1002 @ g1 [reply]: ...            flags: reply (to the bot), reply 1003 (to that user's
                                      message), mention, photo / photo 3, file NAME (the
                                      text becomes the document's content)

Output: each bot message as ``bot -> CHAT:`` then its text indented by two spaces; choices
as ``[1] …  [2] …`` (answer by typing the number, as on Zalo).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.core.clock import Clock, ManualClock, OffsetClock
from bot.core.events import (
    Attachment,
    Chat,
    InboundMessage,
    OutboundMessage,
    OutDocument,
    Sender,
)
from bot.core.models import ChatKind
from bot.core.vnformat import format_deadline
from bot.services.outbox import OutboxDispatcher

CHANNEL = "sandbox"
_LINE = re.compile(
    r"^(?P<user>[^\s@]+) @ (?P<chat>[^\s:\[]+)\s*(?:\[(?P<flags>[^\]]*)\])?:\s?(?P<text>.*)$"
)


class TranscriptError(ValueError):
    def __init__(self, line_no: int, message: str) -> None:
        super().__init__(f"dòng {line_no}: {message}")


@dataclass(slots=True)
class _ChatInfo:
    kind: ChatKind
    title: str


class Sandbox:
    """Holds the declared users and chats and prints the conversation."""

    def __init__(
        self,
        *,
        handle: Callable[[InboundMessage], Awaitable[list[OutboundMessage]]],
        run_due: Callable[[datetime], Awaitable[object]],
        dispatcher_factory: Callable[[SandboxSender], OutboxDispatcher],
        clock: Clock,
        owners: set[tuple[str, str]],
        out: TextIO,
        timezone: str = "Asia/Ho_Chi_Minh",
        message_prefix: str = "m",
        echo_input: bool = False,
        files_dir: Path | None = None,
    ) -> None:
        self._handle = handle
        self._run_due = run_due
        self._clock = clock
        self._owners = owners
        self._out = out
        self._tz = ZoneInfo(timezone)
        self.users: dict[str, str] = {}
        self.chats: dict[str, _ChatInfo] = {}
        self._message_no = 0
        # Message ids must not repeat across sessions on the same database, or the engine
        # would take them for redeliveries: interactive sessions use a per-session prefix.
        self._prefix = message_prefix
        self._echo = echo_input
        self._files_dir = files_dir
        # Every file the bot sent, in order (tests open them).
        self.files: list[OutDocument] = []
        self._dispatcher = dispatcher_factory(SandboxSender(self))

    @property
    def out(self) -> TextIO:
        return self._out

    # -- printing -------------------------------------------------------------------------
    def chat_label(self, chat_id: str) -> str:
        if chat_id in self.chats:
            return chat_id
        return f"dm:{chat_id}"

    def show(self, message: OutboundMessage) -> None:
        label = self.chat_label(message.chat_id)
        print(f"bot -> {label}:", file=self._out)
        for line in message.text.split("\n"):
            print(f"  {line}".rstrip(), file=self._out)
        if message.choices and message.numbered_choices:
            joined = "  ".join(f"[{i}] {c.label}" for i, c in enumerate(message.choices, 1))
            print(f"  {joined}", file=self._out)
        elif message.choices:
            joined = "  ".join(f"[{c.label}]" for c in message.choices)
            print(f"  {joined}", file=self._out)
        if message.mention_user_ids:
            names = ", ".join(self.users.get(u, u) for u in message.mention_user_ids)
            print(f"  (gắn tên: {names})", file=self._out)
        if message.document is not None:
            self._show_file(message.document)

    def _show_file(self, document: OutDocument) -> None:
        """A text file (a template) shows its size; a binary one (a chart, a workbook, a
        report) only its name, since its bytes vary with library versions; in the
        interactive sandbox files are also saved so the person trying the bot can open them."""
        self.files.append(document)
        word = "ảnh" if document.is_photo else "tệp"
        try:
            document.content.decode("utf-8")
            size = f"{len(document.content):,}".replace(",", ".")
            line = f"  [{word}: {document.file_name}, {size} byte]"
        except UnicodeDecodeError:
            line = f"  [{word}: {document.file_name}]"
        print(line, file=self._out)
        if self._files_dir is not None:
            self._files_dir.mkdir(parents=True, exist_ok=True)
            path = self._files_dir / Path(document.file_name).name
            path.write_bytes(document.content)
            print(f"  (đã lưu: {path})", file=self._out)

    # -- actions --------------------------------------------------------------------------
    async def tick(self) -> None:
        await self._run_due(self._clock.now())
        await self._dispatcher.drain()

    async def set_clock(self, text: str) -> None:
        if not isinstance(self._clock, ManualClock | OffsetClock):
            raise ValueError("đồng hồ này không đặt giờ được")
        try:
            moment = datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=self._tz)
        except ValueError as exc:
            raise ValueError("giờ cần có dạng 2026-11-27 08:00") from exc
        self._clock.set(moment)
        if self._echo:
            print(f"\n— {format_deadline(moment)} —", file=self._out)
        await self.tick()

    def declare_user(self, user_id: str, name: str) -> None:
        self.users[user_id] = name or user_id

    def declare_chat(self, chat_id: str, kind: str, title: str) -> None:
        if kind not in ("group", "private"):
            raise ValueError("loại cuộc trò chuyện phải là group hoặc private")
        self.chats[chat_id] = _ChatInfo(ChatKind(kind), title or chat_id)

    async def say(self, user_id: str, chat_ref: str, text: str, flags: str = "") -> None:
        if user_id not in self.users:
            raise ValueError(f"người dùng {user_id} chưa được khai báo (@user)")
        if chat_ref == "dm":
            chat = Chat(CHANNEL, user_id, ChatKind.PRIVATE, self.users[user_id])
        elif chat_ref in self.chats:
            info = self.chats[chat_ref]
            chat = Chat(CHANNEL, chat_ref, info.kind, info.title)
        else:
            raise ValueError(f"cuộc trò chuyện {chat_ref} chưa được khai báo (@chat)")
        self._message_no += 1
        reply_to_bot = mentions = False
        reply_to: Sender | None = None
        photos: tuple[str, ...] = ()
        document: Attachment | None = None
        words = flags.split()
        i = 0
        while i < len(words):
            word = words[i]
            nxt = words[i + 1] if i + 1 < len(words) else None
            if word == "reply" and nxt is not None and nxt in self.users:
                reply_to = Sender(CHANNEL, nxt, self.users[nxt])
                i += 1
            elif word == "reply":
                reply_to_bot = True
            elif word == "mention":
                mentions = True
            elif word == "photo":
                count = int(nxt) if nxt is not None and nxt.isdigit() else 1
                i += 1 if nxt is not None and nxt.isdigit() else 0
                photos = tuple(f"sandbox-photo-{self._message_no}-{n}" for n in range(1, count + 1))
            elif word == "file" and nxt is not None:
                document = Attachment(nxt, text.encode("utf-8"), f"sandbox-file-{self._message_no}")
                i += 1
            else:
                raise ValueError(f"cờ không hợp lệ: {word}")
            i += 1
        event = InboundMessage(
            chat=chat,
            sender=Sender(CHANNEL, user_id, self.users[user_id]),
            message_id=f"{self._prefix}{self._message_no}",
            text="" if document is not None and not text.startswith("/") else text,
            at=self._clock.now(),
            reply_to_bot=reply_to_bot,
            mentions_bot=mentions,
            reply_to_sender=reply_to,
            photos=photos,
            document=document,
        )
        if document is not None and text.startswith("/"):
            # "/thaymau" with a file: the command is the first line, the rest is the file.
            head, _, body = text.partition("\n")
            if not body.strip():  # "[file x.json]: /thaymau {...}" on one line
                head, _, body = head.partition(" ")
            event = InboundMessage(
                chat=event.chat, sender=event.sender, message_id=event.message_id, text=head,
                at=event.at, document=Attachment(document.file_name, body.encode("utf-8")),
            )  # fmt: skip
        if self._echo:
            who = f"{self.users[user_id]} ({user_id})"
            shown = text if document is None else f"{text} [tệp {document.file_name}]"
            if photos:
                shown = f"{shown} [{len(photos)} ảnh]".strip()
            lines = shown.split("\n")
            print(f"{who} -> {self.chat_label(chat.chat_id)}: {lines[0]}", file=self._out)
            for line in lines[1:]:
                print(f"    {line}", file=self._out)
        for message in await self._handle(event):
            self.show(message)
        await self.tick()

    # -- transcript -----------------------------------------------------------------------
    async def play(self, lines: Iterable[str]) -> None:
        for line_no, kind, payload in parse_transcript(lines):
            try:
                await self._apply(kind, payload)
            except ValueError as exc:
                raise TranscriptError(line_no, str(exc)) from exc

    async def _apply(self, kind: str, payload: Sequence[str]) -> None:
        if kind == "clock":
            await self.set_clock(payload[0])
        elif kind == "tick":
            await self.tick()
        elif kind == "owner":
            self._owners.add((CHANNEL, payload[0]))
        elif kind == "user":
            self.declare_user(payload[0], payload[1])
        elif kind == "chat":
            self.declare_chat(payload[0], payload[1], payload[2])
        elif kind == "say":
            await self.say(payload[0], payload[1], payload[3], payload[2])


def parse_transcript(lines: Iterable[str]) -> list[tuple[int, str, tuple[str, ...]]]:
    """Lines -> (line number, kind, payload); continuation lines join the message above."""
    items: list[tuple[int, str, tuple[str, ...]]] = []
    indent = 0  # of the first continuation line: deeper indentation is kept (YAML needs it)
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip("\n").rstrip("\r")
        if not line.strip() or (line.lstrip().startswith("#") and not line.startswith(" ")):
            continue
        if line[0] in " \t":
            if not items or items[-1][1] != "say":
                raise TranscriptError(no, "dòng thụt lề không nối tiếp tin nhắn nào")
            first_no, kind, payload = items[-1]
            width = len(line) - len(line.lstrip(" \t"))
            if "\n" not in payload[3] or indent == 0:
                indent = width
            body = line[min(width, indent) :].rstrip()
            items[-1] = (first_no, kind, (*payload[:3], payload[3] + "\n" + body))
            continue
        if line.startswith("@"):
            word, _, rest = line[1:].partition(" ")
            rest = rest.strip()
            if word == "clock":
                items.append((no, "clock", (rest,)))
            elif word == "tick":
                items.append((no, "tick", ()))
            elif word == "owner" and rest:
                items.append((no, "owner", (rest.split()[0],)))
            elif word == "user" and rest:
                uid, _, name = rest.partition(" ")
                items.append((no, "user", (uid, name.strip())))
            elif word == "chat" and len(rest.split(maxsplit=2)) >= 2:
                parts = rest.split(maxsplit=2)
                items.append((no, "chat", (parts[0], parts[1], parts[2] if len(parts) > 2 else "")))
            else:
                raise TranscriptError(no, f"chỉ thị không hợp lệ: {line}")
            continue
        m = _LINE.match(line)
        if not m:
            raise TranscriptError(no, f"không đọc được dòng: {line}")
        items.append((no, "say", (m["user"], m["chat"], m["flags"] or "", m["text"])))
    return items


class SandboxSender:
    """Delivers outbox messages by printing them (the sandbox never fails to deliver)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    async def send(self, message: OutboundMessage) -> None:
        self._sandbox.show(message)


INTERACTIVE_HELP = """\
Chế độ thử nghiệm (sandbox): trò chuyện với bot ngay trên màn hình này.
  @user 1001 Nguyễn Văn An     khai báo người dùng (mã, tên)
  @chat g1 group Nhóm MTT-CTXH  khai báo nhóm
  @as 1001 g1                  từ đây, dòng gõ vào được gửi với tư cách 1001 trong g1 (dm: nhắn riêng)
  1002 @ dm: /trogiup          gửi một tin nhắn với tư cách người khác
  \"\"\"                          bắt đầu/kết thúc tin nhắn nhiều dòng
  @clock 2026-11-27 08:00      đặt giờ thử nghiệm (chạy các bước đến hạn);  @tick: chạy các bước đến hạn
  @thoat                       thoát
Đã khai báo sẵn: người dùng 1001 (người vận hành bot) và nhóm g1. Thử: /khoitao Nhóm MTT-CTXH tỉnh"""


async def interactive(sandbox: Sandbox, stdin: TextIO = sys.stdin) -> None:
    """A console chat; reads lines without blocking the event loop."""
    print(INTERACTIVE_HELP, file=sandbox.out)
    speaker: tuple[str, str] | None = ("1001", "g1")
    buffer: list[str] | None = None
    while True:
        prompt = f"[{speaker[0]} @ {speaker[1]}]> " if speaker else "> "
        print(prompt, end="", file=sandbox.out, flush=True)
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        line = line.rstrip("\n")
        try:
            if buffer is not None:
                if line.strip() == '"""':
                    text, buffer = "\n".join(buffer), None
                    if speaker:
                        await sandbox.say(speaker[0], speaker[1], text)
                else:
                    buffer.append(line)
                continue
            if line.strip() == '"""':
                buffer = []
                continue
            if line.strip() in ("@thoat", "@exit", "@quit"):
                break
            if line.startswith("@as "):
                parts = line.split()
                if len(parts) == 3:
                    speaker = (parts[1], parts[2])
                continue
            if line.startswith("@") or _LINE.match(line):
                try:
                    await sandbox.play([line])
                except TranscriptError as exc:
                    raise ValueError(str(exc.__cause__ or exc)) from exc
            elif line.strip() and speaker:
                await sandbox.say(speaker[0], speaker[1], line)
        except (TranscriptError, ValueError) as exc:
            print(f"(lỗi: {exc})", file=sandbox.out)
