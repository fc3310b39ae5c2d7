"""What one admin PIN check costs, at today's scrypt parameters and at the former ones, and what
that means for someone guessing offline; writes the "admin-pin" section of docs/benchmarks.md.

    python bench/bench_admin_pin.py [--repeats 7]

The target (issue: 0.3-0.5 s per check here) is what facegui.service.admin_lock.SCRYPT_COST is
chosen for; the figures go into docs/security.md by hand.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report import machine_line, write_section  # noqa: E402

from facegui.service.admin_lock import (  # noqa: E402
    LEGACY_SCRYPT_COST,
    MIN_PIN_LENGTH,
    SCRYPT_COST,
    PinHash,
    ScryptCost,
)


def seconds_per_check(cost: ScryptCost, repeats: int) -> tuple[list[float], list[float]]:
    """(CPU seconds, wall seconds) of each check; CPU time is what an attacker pays, and it holds
    steady on a shared machine where wall time does not."""
    stored = PinHash.of("0" * MIN_PIN_LENGTH, cost)
    cpu, wall = [], []
    for _ in range(repeats):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        stored.matches("1" * MIN_PIN_LENGTH)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rows = []
    medians = {}
    for label, cost in (("today", SCRYPT_COST), ("before (admin.json)", LEGACY_SCRYPT_COST)):
        cpu, wall = seconds_per_check(cost, args.repeats)
        medians[label] = statistics.median(cpu)
        rows.append(f"| {label} | 2^{cost.n.bit_length() - 1}, {cost.r}, {cost.p} | {128 * cost.r * cost.n >> 20} MiB "
                    f"| {medians[label] * 1000:.0f} ms ({min(cpu) * 1000:.0f}–{max(cpu) * 1000:.0f}) "
                    f"| {statistics.median(wall) * 1000:.0f} ms ({min(wall) * 1000:.0f}–{max(wall) * 1000:.0f}) |")
    today = medians["today"]
    pins = 10 ** MIN_PIN_LENGTH
    text = "\n".join([
        "## Admin PIN: one check (scrypt)",
        "",
        machine_line() + f" {os.cpu_count()} cores shared with other work: figures are medians of "
        f"{args.repeats}.",
        "",
        "| parameters | N, r, p | memory per check | CPU time, median (range) | wall time, median (range) |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Offline, every {MIN_PIN_LENGTH}-digit PIN at today's cost: {pins:,} × {today:.2f} s = "
        f"{pins * today / 3600:.0f} CPU-core hours of this machine (half that on average); "
        f"{pins * today / 3600 / 64:.1f} h on 64 cores with {64 * 128 * SCRYPT_COST.r * SCRYPT_COST.n >> 30} GiB "
        "free. Written by `bench/bench_admin_pin.py`.",
    ])
    write_section("admin-pin", text)
    print(text)


if __name__ == "__main__":
    main()
