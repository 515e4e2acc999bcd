from tests.e2e.conftest import OWNER, Live


async def test_polling_answers(polling: Live) -> None:
    polling.api.user(OWNER, "An")
    sent = await polling.say(OWNER, None, "/trogiup")
    assert sent is not None and "Bot báo cáo" in sent.text


async def test_webhook_answers(webhook: Live) -> None:
    webhook.api.user(OWNER, "An")
    sent = await webhook.say(OWNER, None, "/trogiup")
    assert sent is not None
