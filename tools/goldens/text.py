"""Goldens for pkg/text (chapter 12): how NLTK's wordpunct_tokenize and Python's str.split()
split tricky text.

Run from the repository root with a virtual environment outside the repository:

    python3 -m venv /tmp/venv-goldens-img
    /tmp/venv-goldens-img/bin/pip install nltk
    /tmp/venv-goldens-img/bin/python tools/goldens/text.py

It writes pkg/text/testdata/tokenize_golden.json: each text with NLTK's and str.split()'s tokens,
and the versions that made them. NLTK 3.10 compiles wordpunct's pattern \\w+|[^\\w\\s]+ with the
`regex` module, whose \\w also takes combining marks, letter numbers, connector punctuation and
the zero-width joiners.
"""
import json
import os
import platform

import nltk
import regex
from nltk.tokenize import wordpunct_tokenize

OUT = "pkg/text/testdata/tokenize_golden.json"
TEXTS = [
    "Don't stop believing!",
    "The coffee is hot, and the cup is white.",
    "a...b, c_d 3.14 (x) -- 50% off!!!",
    "e-mail: someone@example.com, https://example.com/a?b=1",
    "café naïve (precomposed) and cafe\u0301 nai\u0308ve (combining marks)",
    "x² + y³ = z½, Ⅻ o'clock, ① ② ③",
    "我每天早上喝一杯咖啡。你呢？",
    "咖啡很热，杯子是白色的。",
    "東京タワーは高い。",
    "한국어 문장입니다.",
    "مرحبًا بالعالم!",
    "नमस्ते दुनिया।",
    "emoji 😀! and a family 👩\u200d💻 coder; Ⓐ Ⓑ 🄰",
    "tabs\tand\nnewlines\u00a0nbsp\u2003em-space\u3000ideographic",
    "file\x1cseparator\x1funit",
    "fullwidth ＡＢＣ１２３＿ｘ",
    "under_score __init__ ‿tie",
    "",
    "   \n\t ",
]


def main():
    cases = [{"text": t, "wordpunct": wordpunct_tokenize(t), "split": t.split()} for t in TEXTS]
    doc = {"script": "tools/goldens/text.py", "nltk_version": nltk.__version__,
           "regex_version": regex.__version__, "python_version": platform.python_version(),
           "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{OUT}: {len(cases)} texts, NLTK {nltk.__version__}, regex {regex.__version__}")


if __name__ == "__main__":
    main()
