"""What each command loads: a command imports only what it uses (docs/benchmarks.md, "Start-up"
gives the times; bench/bench_startup.py measures them). Checked by module, never by a clock."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import FACES, REPO

HEAVY = ["onnx", "google.protobuf", "ml_dtypes", "onnxruntime", "cv2", "faiss", "numpy", "PySide6", "psycopg"]


def loaded_after(args: list[str], cwd) -> set[str]:
    """The heavy modules in sys.modules after ``facegui ARGS`` ran in a fresh interpreter."""
    code = ("import json, sys\nfrom facegui.app import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
            "    pass\nprint(json.dumps(sorted(m for m in %r if m in sys.modules)))" % HEAVY)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd,
                            env=env, timeout=120)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def identify_run_by(code: str, tmp_path, cli_args) -> subprocess.CompletedProcess:
    """``code`` run in a fresh interpreter with ``identify two_people.jpg`` and the test's options as argv."""
    return subprocess.run([sys.executable, "-c", code, "identify", str(FACES / "probes" / "two_people.jpg"),
                           *cli_args], capture_output=True, text=True, cwd=tmp_path,
                          env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)


def test_version_loads_nothing_heavy(tmp_path):
    assert loaded_after(["--version"], tmp_path) == set()


def test_people_reads_the_database_with_sqlite_alone(tmp_path, cli_args):
    """Names and counts come from SQL: no model, no index, not even numpy (the database module imports
    it where embeddings are handled). Checked on a database with someone enrolled, and on none."""
    assert loaded_after(["people", *cli_args], tmp_path) == set()
    enrolled = subprocess.run([sys.executable, "-m", "facegui", "enroll", str(FACES / "gallery" / "obama_1.jpg"),
                               "--name", "obama", *cli_args], capture_output=True, text=True, cwd=tmp_path,
                              env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert enrolled.returncode == 0, enrolled.stderr
    assert loaded_after(["people", *cli_args], tmp_path) == set()


@pytest.mark.parametrize("command", [["identify", str(FACES / "probes" / "two_people.jpg")],
                                     ["models", "list"]])
def test_no_command_but_model_conversion_loads_onnx_protobuf_or_qt(tmp_path, cli_args, command):
    loaded = loaded_after([*command, *cli_args], tmp_path)
    assert not loaded & {"onnx", "google.protobuf", "ml_dtypes", "PySide6"}, loaded


def test_identify_given_its_folders_loads_no_platformdirs_socket_or_tempfile(tmp_path, cli_args):
    """The user folders come from platformdirs only when no folder is given; the host name from
    os.uname where there is one; tempfile only where something is written (here the gallery exists
    already) or a graph optimised."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    enrolled = subprocess.run([sys.executable, "-m", "facegui", "enroll", str(FACES / "gallery" / "obama_1.jpg"),
                               "--name", "obama", *cli_args], capture_output=True, text=True, cwd=tmp_path,
                              env=env, timeout=120)
    assert enrolled.returncode == 0, enrolled.stderr
    code = ("import json, sys\nfrom facegui.app import main\nmain(sys.argv[1:])\n"
            "print(json.dumps(sorted(m for m in ('platformdirs', 'socket', 'tempfile') if m in sys.modules)))")
    result = identify_run_by(code, tmp_path, cli_args)
    assert "obama" in result.stdout, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [], result.stderr


def test_identify_run_as_the_program_gives_the_collector_back_once_the_models_are_open(tmp_path, cli_args):
    """facegui.startup: the collector is held back from the program's first line until the models and
    the gallery are open, then runs with Python's own thresholds for the photos."""
    code = ("import gc, sys\nfrom facegui import startup\nstartup.hold_back_collector()\n"
            "import facegui.cli.main as cli\nopen_recognizer = cli.open_recognizer\n"
            "def watched(settings):\n    print('held before', startup.collector_held_back())\n"
            "    recognizer = open_recognizer(settings)\n"
            "    print('held after', startup.collector_held_back(), gc.get_threshold()[0])\n    return recognizer\n"
            "cli.open_recognizer = watched\nfrom facegui.app import main\nmain(sys.argv[1:])\n")
    result = identify_run_by(code, tmp_path, cli_args)
    lines = [line for line in result.stdout.splitlines() if line.startswith("held")]
    assert lines == ["held before True", "held after False 700"], result.stdout + result.stderr


def test_a_command_run_as_the_program_keeps_its_output_and_exit_code(tmp_path, cli_args):
    """The program leaves without the interpreter's teardown (facegui.app.run): everything printed
    still reaches a file, and one failed photo still gives exit code 1."""
    out = tmp_path / "out.jsonl"
    with open(out, "w") as stdout:
        result = subprocess.run([sys.executable, "-m", "facegui", "identify", str(FACES / "probes" / "two_people.jpg"),
                                 str(tmp_path / "missing.jpg"), "--json", *cli_args], stdout=stdout,
                                stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                                env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert result.returncode == 1 and "missing.jpg" in result.stderr
    [line] = out.read_text().splitlines()
    assert len(json.loads(line)["faces"]) == 2


def test_a_command_makes_only_its_own_parser_and_every_parser_still_works():
    """cli.main's command parsers are made on first use (all of them take 5 ms): parsing `identify`
    makes that one alone; each of the others, once asked for, has its options and its handler."""
    import argparse

    from facegui.cli.main import build_parser

    parser = build_parser()
    [commands] = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    assert parser.parse_args(["identify", "a.jpg"]).images == ["a.jpg"]
    made = [name for name in commands.choices if isinstance(dict.__getitem__(commands.choices, name),
                                                           argparse.ArgumentParser)]
    assert made == ["identify"]
    listed = [action.dest for action in commands._choices_actions]
    assert listed == list(commands.choices) and len(listed) >= 17 and "db" in listed
    for name, command in commands.choices.items():
        assert command.prog == f"facegui {name}" and "--data-dir" in command.format_help(), name
    assert parser.parse_args(["db", "status"]).func.__name__ == "cmd_db_status"
    assert parser.parse_args(["people", "--json"]).func.__name__ == "cmd_people"


def test_onnxruntime_writes_and_queues_no_usage_report(tmp_path, cli_args):
    """onnxruntime's Linux build reports usage to Microsoft by default, keeping a device id and an event
    cache under ~/.cache/Microsoft; facegui switches that off before onnxruntime loads (facegui/__init__.py)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME")}
    env.update(PYTHONPATH=str(REPO), HOME=str(home))
    result = subprocess.run([sys.executable, "-m", "facegui", "identify", str(FACES / "probes" / "two_people.jpg"),
                             *cli_args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (home / ".cache" / "Microsoft").exists(), sorted(p.name for p in home.rglob("*"))


def test_identify_checks_and_opens_the_models_on_threads_that_import_nothing(tmp_path, cli_args):
    """service.model_opening: each model file is read on a thread of its own (the detector's and the
    embedder's, while the main thread imports the rest), and no import ever runs on those threads, so no
    module is imported on two threads at once. Seen through Python's audit events, which fire on the
    thread that opens a file or imports a module."""
    code = ("import json, sys, threading\nseen = []\n"
            "def hook(event, args):\n"
            "    if event in ('open', 'import') and threading.current_thread().name.startswith('facegui-open-'):\n"
            "        seen.append([threading.current_thread().name, event, str(args[0])])\n"
            "sys.addaudithook(hook)\nfrom facegui.app import main\nmain(sys.argv[1:])\n"
            "print(json.dumps(seen))")
    result = identify_run_by(code, tmp_path, cli_args)
    assert result.returncode == 0 and result.stdout.count("unknown") == 2, result.stderr  # nobody enrolled
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert [event for event in seen if event[1] == "import"] == []
    opened = {(thread, os.path.basename(path)) for thread, event, path in seen if event == "open"}
    assert ("facegui-open-detector", "retinaface_mobilenet0.25.onnx") in opened, seen
    assert ("facegui-open-embedder", "arcface.onnx") in opened, seen
    assert not {path for thread, path in opened if thread == "facegui-open-detector"} & {"arcface.onnx"}


def test_the_window_opens_its_models_before_qt_loads_and_uses_that_opening(tmp_path, cli_args):
    """gui.launch starts service.model_opening before PySide6 is imported, so the models open while Qt and
    the window's modules load (about 360 ms here), and the window's recognizer is made from that opening:
    one opening in all, made with Qt not yet loaded."""
    code = ("import sys\nfrom facegui.service import model_opening\nmade = []\n"
            "class Watched(model_opening.ModelOpening):\n"
            "    def __init__(self, *args, **kwargs):\n"
            "        made.append('PySide6.QtWidgets' in sys.modules)\n"
            "        super().__init__(*args, **kwargs)\n"
            "model_opening.ModelOpening = Watched\n"
            "from facegui.app import main\ncode = main(sys.argv[1:])\nprint('openings', made, code)")
    video = FACES / "video" / "short_hamilton_clip.mp4"
    result = subprocess.run([sys.executable, "-c", code, "--smoke-test", str(video), *cli_args],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120,
                            env=dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen"))
    assert "facegui smoke-test: ok" in result.stdout, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "openings [False] 0", result.stdout + result.stderr
