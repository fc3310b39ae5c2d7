"""The 简体中文 catalogue is complete: every string of the window is in it, translated, with its placeholders.

lupdate runs over facegui/gui here, into a temporary file, and the result is compared with the committed
catalogues; a failure names the strings and says to run ``bash scripts/translations.sh``.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import REPO

I18N = REPO / "resources" / "i18n"
CHINESE = I18N / "facegui_zh_CN.ts"
ENGLISH = I18N / "facegui_en.ts"
PLACEHOLDER = re.compile(r"%(?:\d|n)")
GLOSSARY_NOT = {
    # docs/i18n.md's glossary: the word an office user reads, not the literal one.
    "缺席": "未签到", "未知": "陌生人", "注册": "录入", "登记": "录入", "考勤站": "签到点", "PIN": "密码", "考勤历史": "考勤记录",
}


def lupdate() -> str:
    found = shutil.which("pyside6-lupdate") or str(Path(sys.executable).parent / "pyside6-lupdate")
    assert Path(found).exists(), "pyside6-lupdate is missing (it comes with PySide6)"
    return found


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) → the <message> element."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.findall("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def forms(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    if message.get("numerus") == "yes":
        return [form.text or "" for form in translation.findall("numerusform")]
    return [translation.text or ""]


def fresh_catalogue(tmp_path: Path, language: str, plural_only: bool = False) -> dict:
    sources = sorted(str(p) for p in (REPO / "facegui" / "gui").rglob("*.py"))
    target = tmp_path / f"fresh_{language}.ts"
    options = ["-pluralonly"] if plural_only else []
    subprocess.run([lupdate(), "-silent", "-no-obsolete", "-locations", "none", *options, "-source-language", "en",
                    "-target-language", language, *sources, "-ts", str(target)], check=True, cwd=REPO)
    return messages(target)


def describe(keys) -> str:
    return "\n".join(f"  {context}: {source!r}" for context, source in sorted(keys))


@pytest.mark.parametrize("committed, language, plural_only", [(CHINESE, "zh_CN", False), (ENGLISH, "en", True)],
                         ids=["zh_CN", "en plurals"])
def test_every_string_of_the_window_is_in_the_catalogue(tmp_path, committed, language, plural_only):
    fresh = fresh_catalogue(tmp_path, language, plural_only)
    have = messages(committed)
    missing = fresh.keys() - have.keys()
    stale = have.keys() - fresh.keys()
    assert not missing, f"{committed.name} lacks these strings (run bash scripts/translations.sh):\n{describe(missing)}"
    assert not stale, f"{committed.name} holds strings the code no longer has:\n{describe(stale)}"
    assert len(fresh) > (250 if language == "zh_CN" else 10)  # lupdate really read the window
    for key, message in fresh.items():
        assert (message.get("numerus") == "yes") == (have[key].get("numerus") == "yes"), key


def test_every_chinese_message_is_finished_not_empty_and_keeps_its_placeholders():
    problems = []
    for (context, source), message in messages(CHINESE).items():
        translation = message.find("translation")
        texts = forms(message)
        if translation is None or translation.get("type") in ("unfinished", "vanished", "obsolete"):
            problems.append(f"{context}: {source!r} is unfinished")
        elif not texts or any(not t.strip() for t in texts):
            problems.append(f"{context}: {source!r} has an empty translation")
        elif any(sorted(set(PLACEHOLDER.findall(t))) != sorted(set(PLACEHOLDER.findall(source))) for t in texts):
            problems.append(f"{context}: {source!r} → {texts!r} changes the placeholders")
        elif any(t == source for t in texts) and re.search(r"[A-Za-z]{3}", source):
            problems.append(f"{context}: {source!r} is left in English")
        for text in texts:
            for wrong, right in GLOSSARY_NOT.items():
                if wrong in text:
                    problems.append(f"{context}: {source!r} → {text!r} says {wrong}; the glossary says {right}")
            if "&" in source and "&" not in text:
                problems.append(f"{context}: {source!r} → {text!r} lost its keyboard accelerator")
    assert not problems, "\n".join(problems)


def test_english_plural_forms_are_singular_then_plural():
    for (context, source), message in messages(ENGLISH).items():
        one, many = forms(message)
        assert one and many and "(s)" not in one + many, (context, source)
        assert PLACEHOLDER.findall(one) == PLACEHOLDER.findall(source), (context, source)


def test_every_special_file_the_engine_refuses_is_named_in_chinese_too():
    """engine/imageio.py's refusal of a pipe, a device or a socket reaches the identify view as its reason."""
    import stat

    from facegui.files import file_kind

    kinds = {file_kind(mode) for mode in (stat.S_IFIFO, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFSOCK)}
    chinese = messages(CHINESE)
    for kind in kinds:
        message = chinese.get(("ImageError", f"is {kind}, not an image file"))
        assert message is not None and forms(message)[0], kind
