"""Trimming the bundle's table of contents to what the app loads, for build.spec (Linux, ELF).

PyInstaller collects every shared library that any collected file links to, before build.spec drops
the Qt plugins and libraries facegui does not use; their dependencies stay behind (GTK's cairo and
pango, Kerberos, …). Four steps, each keeping everything the dynamic loader can ask for:

* ``prune_unlinked``: a shared library no kept file links to (ELF ``DT_NEEDED``, transitively from
  the Python extensions, the Qt plugins and the Python library) goes, and so does a symbolic link
  whose target went;
* ``strip_debug_info``: the DWARF debug sections of files that carry them outside the wheels'
  ``*.libs`` folders (a source-built Python's ``libpython`` holds 17 MB of them); symbols stay, so
  a crash still has a readable backtrace. The wheels' ``*.libs`` are never touched: their ELF
  layout is patched by auditwheel, and stripping numpy's OpenBLAS breaks it;
* ``share_same_libraries``: a library two wheels both ship under the same auditwheel name (the name
  carries a hash of the original file, e.g. ``libgfortran-83c28eba.so.5.0.0`` in faiss's and OpenCV's
  ``*.libs``) is kept once; the other copy becomes a symbolic link under its own name;
* ``share_openblas``: faiss and OpenCV each ship OpenBLAS 0.3.x (39 MB apiece, one built for
  OpenMP, one for pthreads). When OpenCV's copy is the same release and exports every symbol of
  faiss's, faiss's becomes a symbolic link to it; the loader then maps one file for both. numpy's
  OpenBLAS is 64-bit-integer with suffixed symbols and is left alone.

Every step prints what it did, and does nothing where its tool (``readelf``, ``strip``) is missing.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path, PurePosixPath

Entry = tuple  # (destination in the bundle, source path or symlink target, PyInstaller typecode)


def _is_plain_library(dest: str) -> bool:
    """A library that is only there because something links to it (a candidate for pruning):
    top-level ones, the wheels' ``*.libs`` folders and Qt's ``lib`` folder. Extensions, plugins and
    libraries inside a package (loaded with dlopen by their package) are never candidates."""
    parent = PurePosixPath(dest).parent.as_posix()
    if PurePosixPath(dest).name.startswith("libpython"):
        return False  # the bootloader loads it by path
    return parent == "." or parent.endswith(".libs") or parent == "PySide6/Qt/lib"


@lru_cache(maxsize=None)
def _needed(path: str) -> tuple[str, ...]:
    out = subprocess.run(["readelf", "-d", "-W", path], capture_output=True, text=True).stdout
    return tuple(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))


def _symlink_target(dest: str, target: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(dest), target)).replace("\\", "/")


def prune_unlinked(binaries: list[Entry], datas: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        print("bundle_trim: no pruning (not Linux, or no readelf)", file=sys.stderr)
        return binaries, datas
    files = {dest.replace("\\", "/"): src for dest, src, _type in binaries}
    links = {dest: _symlink_target(dest, src) for dest, src, kind in datas if kind == "SYMLINK"}
    by_name: dict[str, list[str]] = {}
    for dest in [*files, *links]:
        by_name.setdefault(PurePosixPath(dest).name, []).append(dest)

    def resolve(dest: str) -> str | None:
        seen = set()
        while dest in links and dest not in seen:
            seen.add(dest)
            dest = links[dest]
        return dest if dest in files else None

    kept: set[str] = set()
    todo = [dest for dest in files if not _is_plain_library(dest)]
    while todo:
        dest = todo.pop()
        if dest in kept:
            continue
        kept.add(dest)
        for name in _needed(files[dest]):
            for candidate in by_name.get(name, []):
                real = resolve(candidate)
                if real and real not in kept:
                    todo.append(real)
    dropped = sorted(dest for dest in files if dest not in kept)
    dangling = sorted(dest for dest in links if resolve(dest) not in kept)
    mb = sum(os.path.getsize(files[dest]) for dest in dropped) / 1e6
    print(f"bundle_trim: {len(dropped)} libraries nothing links to ({mb:.1f} MB) and {len(dangling)} "
          f"symbolic links to them left out: {', '.join(PurePosixPath(d).name for d in dropped)}", file=sys.stderr)
    gone = set(dropped) | set(dangling)
    return ([e for e in binaries if e[0].replace("\\", "/") not in gone],
            [e for e in datas if e[0].replace("\\", "/") not in gone])


def _has_debug_info(path: str) -> bool:
    out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True).stdout
    return ".debug_info" in out


def strip_debug_info(binaries: list[Entry], workdir: Path) -> list[Entry]:
    if not sys.platform.startswith("linux") or not (shutil.which("strip") and shutil.which("readelf")):
        print("bundle_trim: no debug info stripped (not Linux, or no strip/readelf)", file=sys.stderr)
        return binaries
    result, saved = [], 0
    for dest, src, kind in binaries:
        in_wheel_libs = PurePosixPath(dest.replace("\\", "/")).parent.name.endswith(".libs")
        if kind in ("BINARY", "EXTENSION") and not in_wheel_libs and _has_debug_info(src):
            stripped = workdir / "stripped" / dest
            stripped.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["strip", "--strip-debug", "-o", str(stripped), src], check=True)
            saved += os.path.getsize(src) - stripped.stat().st_size
            src = str(stripped)
        result.append((dest, src, kind))
    print(f"bundle_trim: debug sections stripped, {saved / 1e6:.1f} MB saved", file=sys.stderr)
    return result


def _defined_symbols(path: str) -> set[str]:
    out = subprocess.run(["readelf", "--dyn-syms", "-W", path], capture_output=True, text=True).stdout
    # Num: Value Size Type Bind Vis Ndx Name; an undefined symbol has Ndx UND.
    return {fields[7].split("@")[0] for fields in (line.split() for line in out.splitlines())
            if len(fields) >= 8 and fields[6] != "UND" and fields[3] in ("FUNC", "OBJECT")}


def share_openblas(binaries: list[Entry], datas: list[Entry],
                   user: str = "faiss_cpu.libs/libopenblaso-", owner: str = "opencv_python_headless.libs/libopenblasp-"
                   ) -> tuple[list[Entry], list[Entry]]:
    if not sys.platform.startswith("linux") or shutil.which("readelf") is None:
        return binaries, datas
    mine = [e for e in binaries if e[0].startswith(user)]
    theirs = [e for e in binaries if e[0].startswith(owner)]
    if len(mine) != 1 or len(theirs) != 1:
        print("bundle_trim: OpenBLAS not shared (faiss's or OpenCV's copy not found)", file=sys.stderr)
        return binaries, datas
    (dest, src, _kind), (owner_dest, owner_src, _) = mine[0], theirs[0]
    release = re.compile(r"-r0-[0-9a-f]+\.(\d+\.\d+)\.so")
    same_release = (release.search(dest) or [None, 1])[1] == (release.search(owner_dest) or [None, 2])[1]
    missing = _defined_symbols(src) - _defined_symbols(owner_src)
    if not same_release or missing:
        print(f"bundle_trim: OpenBLAS not shared ({'another release' if not same_release else len(missing)} "
              f"{'' if not same_release else 'symbols missing'})", file=sys.stderr)
        return binaries, datas
    link = (dest, os.path.relpath(owner_dest, os.path.dirname(dest)), "SYMLINK")
    print(f"bundle_trim: {dest} is now a link to {owner_dest} ({os.path.getsize(src) / 1e6:.1f} MB saved)",
          file=sys.stderr)
    return [e for e in binaries if e[0] != dest], [*datas, link]


def share_same_libraries(binaries: list[Entry], datas: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    if not sys.platform.startswith("linux"):
        return binaries, datas
    first: dict[str, str] = {}
    links: list[Entry] = []
    kept: list[Entry] = []
    saved = 0
    for dest, src, kind in sorted(binaries, key=lambda e: e[0]):
        posix = PurePosixPath(dest.replace("\\", "/"))
        if not posix.parent.name.endswith(".libs"):
            kept.append((dest, src, kind))
            continue
        owner = first.setdefault(posix.name, posix.as_posix())
        if owner == posix.as_posix():
            kept.append((dest, src, kind))
            continue
        links.append((posix.as_posix(), os.path.relpath(owner, posix.parent.as_posix()), "SYMLINK"))
        saved += os.path.getsize(src)
    print(f"bundle_trim: {len(links)} libraries shipped by two wheels kept once ({saved / 1e6:.1f} MB saved): "
          f"{', '.join(PurePosixPath(link[0]).name for link in links)}", file=sys.stderr)
    return kept, [*datas, *links]
