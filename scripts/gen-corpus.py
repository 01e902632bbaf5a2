#!/usr/bin/env python3
"""Generate a large synthetic community for benchmarks.

Usage: scripts/gen-corpus.py OUT_DIR [N_POSTS] [--seed S]

Writes OUT_DIR/site.toml and OUT_DIR/content/ with N_POSTS posts (default
10,000) of about 4 KB of Chinese text each: 40% Q&A threads (most solved,
with 2-4 answers, replies and a summary), 40% briefs, 20% cases, with tags,
stages, members of all three privacy levels, and publish times spread over
the past two years. The text is built from a fixed vocabulary of real words
mixed with random characters, so substrings of every length occur, plus
Latin terms (GPT-4, B站, SaaS). Deterministic for a given seed.
"""
import os
import random
import sys

WORDS = ("创业 合伙人 股权 私域 流量 融资 天使轮 现金流 复购 定价 招聘 团队 客户 产品 渠道 增长 "
         "运营 社群 用户 数据 复盘 案例 供应链 门店 品牌 内容 营销 直播 小红书 抖音 视频 投放 转化 "
         "留存 会员 利润 成本 毛利 估值 投资人 协议 期权 激励 管理 效率 工具 自动化 模型 销售 "
         "服务 体验 口碑 裂变 活动 策划 文案 设计 交互 技术 研发 外包 合同 风险 税务 财务 预算 "
         "早报 问答 总结 经验 方法 思路 误区 建议 资源 行业 市场 竞争 壁垒 定位 战略 执行 落地").split()
LATIN = ["GPT-4", "B站", "SaaS", "AI", "KPI", "OKR", "ROI", "CRM", "App", "API", "ToB", "ToC", "IP", "MVP"]
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
STAGES = ["种子期", "天使轮", "A轮", "B轮", "第一期", "第二期"]
TAGS = ["合伙人", "股权", "私域", "融资", "招聘", "定价", "现金流", "增长", "AI", "内容营销", "复购", "效率",
        "供应链", "品牌", "直播", "出海", "法务", "财务", "产品", "销售"]


def sentence(rng, n):
    out = []
    while len("".join(out)) < n:
        r = rng.random()
        if r < 0.55:
            out.append(rng.choice(WORDS))
        elif r < 0.62:
            out.append(" " + rng.choice(LATIN) + " ")
        else:
            out.append("".join(rng.choice(CHARS) for _ in range(rng.randint(1, 4))))
    return "".join(out) + rng.choice("。，；！？") 


def paragraph(rng, n):
    return "".join(sentence(rng, rng.randint(20, 60)) for _ in range(max(1, n // 40)))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else 10000
    seed = 42
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
    rng = random.Random(seed)
    for d in ("briefs", "qa", "cases"):
        os.makedirs(os.path.join(out, "content", d), exist_ok=True)
    handles = [f"m{i:03d}" for i in range(200)]
    with open(os.path.join(out, "content", "members.yaml"), "w", encoding="utf-8") as f:
        for i, h in enumerate(handles):
            privacy = "anonymous" if i % 10 == 9 else ("alias" if i % 5 == 3 else "public")
            f.write(f"{h}:\n  name: 成员{i:03d}号\n  alias: 昵称{i:03d}\n  role: 创始人\n  industry: 行业{i % 17}\n"
                    f"  strengths: [运营, 增长]\n  privacy: {privacy}\n")
    with open(os.path.join(out, "site.toml"), "w", encoding="utf-8") as f:
        f.write('title = "基准测试社群"\ndescription = "synthetic corpus"\nbase_url = "https://example.org/"\n'
                'language = "zh-CN"\ntimezone = "Asia/Shanghai"\n\n'
                '[[columns]]\nid = "zaobao"\nname = "每日早报"\nkind = "brief"\ntimes = ["08:00"]\ndays = "daily"\n\n'
                '[[columns]]\nid = "hot"\nname = "热点话题"\nkind = "qa"\ntimes = ["15:00"]\ndays = "weekdays"\n\n'
                '[[columns]]\nid = "cases"\nname = "案例拆解"\nkind = "case"\ntimes = ["20:00"]\ndays = ["tue", "thu"]\n')
    for i in range(n):
        r = i % 10
        kind = "qa" if r < 4 else ("brief" if r < 8 else "case")
        day = i * 2 * 365 // max(n, 1)
        y, doy = 2024 + day // 365, day % 365
        month, mday = 1 + doy // 31 % 12, 1 + doy % 28
        hour = {"qa": 15, "brief": 8, "case": 20}[kind]
        when = f"{y}-{month:02d}-{mday:02d} {hour:02d}:{rng.randint(0, 59):02d}"
        tags = rng.sample(TAGS, rng.randint(1, 3))
        stage = rng.choice(STAGES)
        title = sentence(rng, rng.randint(8, 20)).rstrip("。，；！？") + f" {i}"
        fm = [f"title: \"{title}\"", f"publish_at: {when}", f"tags: [{', '.join(tags)}]", f"stage: {stage}"]
        body = []
        if kind == "qa":
            people = rng.sample(handles, 6)
            solved = rng.random() < 0.85
            answers = people[1:1 + rng.randint(2, 4)]
            fm += [f"asked_by: {people[0]}", f"status: {'solved' if solved else 'open'}"]
            if solved:
                fm += [f"accepted: {answers[0]}", f"summary_by: {people[5]}"]
            body.append(paragraph(rng, 700))
            for a in answers:
                body.append(f"## @{a}")
                body.append(paragraph(rng, 700))
                if rng.random() < 0.4:
                    body.append(f"### @{people[0]}")
                    body.append(paragraph(rng, 150))
            if solved:
                body.append("## 总结")
                body.append("\n".join(f"- {sentence(rng, 40)}" for _ in range(5)))
        else:
            fm.append(f"authors: [{', '.join(rng.sample(handles, rng.randint(1, 2)))}]")
            for s in ("背景", "做法", "数据", "复盘"):
                body.append(f"## {s}")
                body.append(paragraph(rng, 330))
        path = os.path.join(out, "content", {"qa": "qa", "brief": "briefs", "case": "cases"}[kind], f"p{i:05d}.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write("---\n" + "\n".join(fm) + "\n---\n" + "\n\n".join(body) + "\n")


if __name__ == "__main__":
    main()
