"""Add new judgments to hard_topics.jsonl: `python -m tests.relevance.add_judgments FILE`.

FILE is JSON, `{"H02": {"dice-2755": 2, "dice-12222": 0}, …}`: each id joins the topic's
`judged` list, and its `relevant` grades when it is 1 or 2. Documents a new ranking brings
into a top 10 (`python -m bench.relevance --set hard --list-unjudged`) are judged this way,
after reading them against the topic's narrative (tests/relevance/README.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HARD = Path(__file__).resolve().parent / "hard_topics.jsonl"


def add(grades: dict[str, dict[str, int]], path: Path = HARD) -> int:
    topics = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
    added = 0
    for topic in topics:
        for article, grade in grades.get(topic["id"], {}).items():
            if grade not in (0, 1, 2):
                raise ValueError(f"{topic['id']} {article}: grade {grade} is not 0, 1 or 2")
            if article not in topic["judged"]:
                topic["judged"].append(article)
                added += 1
            if grade:
                topic["relevant"][article] = grade
            else:
                topic["relevant"].pop(article, None)
    lines = [json.dumps(topic, ensure_ascii=False) for topic in topics]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return added


if __name__ == "__main__":
    count = add(json.loads(Path(sys.argv[1]).read_text("utf-8")))
    print(f"{count} new judgments in {HARD.name}")
