#!/usr/bin/env python3
"""Copy the demo community to OUT_DIR and add one hostile post (issue 11).

    scripts/gen-hostile.py OUT_DIR thread N   # a solved thread with N answers
    scripts/gen-hostile.py OUT_DIR deep N     # front matter nested N levels deep
    scripts/gen-hostile.py OUT_DIR tags N     # a brief with N tags

Then time `qunshu --root OUT_DIR check` (see BENCHMARKS.md, "Limits").
"""
import os
import shutil
import sys

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out, case, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if os.path.exists(out):
    shutil.rmtree(out)
os.makedirs(out)
shutil.copy(os.path.join(here, "site.toml"), out)
shutil.copytree(os.path.join(here, "content"), os.path.join(out, "content"))

head = "---\ntitle: {title}\npublish_at: 2026-11-02 15:00\n"
if case == "thread":
    text = head.format(title="大线程") + "status: solved\naccepted: nightowl\nasked_by: huanglei\n---\n问题\n"
    text += "".join(f"\n## @u{i}\n回答 {i}\n" for i in range(n))
    text += "\n## @nightowl\n被采纳的回答\n"
    path = "content/qa/big.md"
elif case == "deep":
    text = head.format(title="深") + "tags: " + "[" * n + "]" * n + "\n---\n正文\n"
    path = "content/briefs/deep.md"
elif case == "tags":
    text = head.format(title="标签") + "tags: [" + ", ".join(f"t{i}" for i in range(n)) + "]\n---\n正文\n"
    path = "content/briefs/tags.md"
else:
    sys.exit(f"unknown case {case!r} (thread, deep or tags)")
with open(os.path.join(out, path), "w", encoding="utf-8") as f:
    f.write(text)
