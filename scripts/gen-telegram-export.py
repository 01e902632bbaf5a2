#!/usr/bin/env python3
"""A Telegram Desktop export (result.json) of N messages, for benchmarks.

Usage: scripts/gen-telegram-export.py OUT.json [N] [SEED]

The shape of a real "Export chat history" JSON file: one supergroup, about
40% chatter that answers nothing, the rest in threads of 3 to 20 messages
(questions, answers, replies to answers, follow-ups), with entity arrays
(bold, links, mentions, code), edits, photos, stickers, service messages
and a bot, from 300 people. Dates advance a minute or so per message.
"""
import json, random, sys, datetime

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
people = [(f"user{100000 + i}", f"成员{i:03d}") for i in range(300)]
words = ("现金流 融资 估值 合伙人 股权 期权 私域 复购 小红书 定价 团队 招聘 供应链 门店 "
         "获客 转化 留存 社群 直播 内容 渠道 品牌 用户 增长 产品 客户 销售 数据 工具 效率").split()
def sentence(k):
    return "，".join("".join(rng.choice(words) for _ in range(rng.randint(2, 4))) for _ in range(k)) + "。"
t = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
msgs = []
next_id = 1
def add(frm, text, reply=None, **kw):
    global next_id, t
    t += datetime.timedelta(seconds=rng.randint(20, 150))
    m = {"id": next_id, "type": "message", "date": t.strftime("%Y-%m-%dT%H:%M:%S"),
         "date_unixtime": str(int(t.timestamp())), "from": frm[1], "from_id": frm[0]}
    if reply:
        m["reply_to_message_id"] = reply
    m.update(kw)
    m["text"] = text
    m["text_entities"] = [{"type": "plain", "text": p} if isinstance(p, str) else p
                          for p in (text if isinstance(text, list) else [text])]
    msgs.append(m)
    next_id += 1
    return m["id"]
while len(msgs) < n:
    r = rng.random()
    if r < 0.02:
        t += datetime.timedelta(seconds=30)
        msgs.append({"id": next_id, "type": "service", "date": t.strftime("%Y-%m-%dT%H:%M:%S"),
                     "date_unixtime": str(int(t.timestamp())), "actor": "管理员", "actor_id": "user1",
                     "action": "invite_members", "members": ["新成员"], "text": "", "text_entities": []})
        next_id += 1
    elif r < 0.42:
        add(rng.choice(people), sentence(rng.randint(1, 3)))
    else:
        asker = rng.choice(people)
        q = add(asker, ["请问", {"type": "bold", "text": rng.choice(words)}, "怎么做？" + sentence(2)])
        answers = []
        for _ in range(rng.randint(2, 19)):
            if len(msgs) >= n:
                break
            who = rng.choice(people)
            k = rng.random()
            if answers and k < 0.35:
                add(rng.choice([asker, who]), sentence(1), reply=rng.choice(answers))
            elif k < 0.45:
                add(who, "", reply=q, photo=f"photos/photo_{next_id}@01-01-2026.jpg", width=800, height=600)
            else:
                answers.append(add(who, [sentence(rng.randint(1, 4)) + "参考 ",
                                         {"type": "text_link", "text": "这篇", "href": "https://example.com/a"},
                                         " ", {"type": "code", "text": "13 周现金流"}],
                                   reply=q, **({"edited": "2026-01-01T10:00:00"} if k > 0.9 else {})))
json.dump({"name": "基准测试群", "type": "private_supergroup", "id": 42, "messages": msgs[:n]},
          open(out, "w"), ensure_ascii=False, indent=1)
print(f"{out}: {min(len(msgs), n)} messages")
