"""The newsroom's at-least-once reader in Python (pip install nats-py): fetches from the durable
consumer `newsroom` on DONGTAI_EVENTS as the read-only `newsroom` user, acks each event once
handled. Stopped and started again, it goes on from the last ack.

    DONGTAI_NEWSROOM_NATS_PASSWORD=... python3 deploy/newsroom/newsroom.py
"""
import asyncio, json, os
import nats


async def main():
    nc = await nats.connect(
        os.environ.get("DONGTAI_NATS_URL", "nats://127.0.0.1:4222").split(","),
        user="newsroom",
        password=os.environ["DONGTAI_NEWSROOM_NATS_PASSWORD"],
        inbox_prefix="_INBOX_newsroom",  # the only inbox the newsroom user may use
    )
    sub = await nc.jetstream().pull_subscribe_bind("newsroom", stream="DONGTAI_EVENTS")
    while True:
        try:
            msgs = await sub.fetch(100, timeout=30)
        except nats.errors.TimeoutError:
            continue  # nothing new
        for msg in msgs:
            event = json.loads(msg.data)
            print(msg.subject, event.get("when", {}).get("start"), event.get("id") or event.get("event_id"))
            await msg.ack()  # after handling it: an event not acked comes again


asyncio.run(main())
