"""One attendance station as its own process, for tests/test_stations.py.

``replay``: plays recognitions of the Hamilton clip (made once by the real models, pickled by the
test) through the station's own AttendanceService frame by frame, each play ``--loop-minutes``
later on the station's clock, as a camera at a door would see the same scene again.
``record``: writes check-ins as fast as it can (for kill -9 in the middle of a write).
Each check-in the station reports as recorded (written or queued) is printed as a JSON line;
at the end the station waits until its outbox is empty.
"""
from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import cv2

from facegui.config import Settings
from facegui.service import AttendanceService
from facegui.storage.attendance import NewEvent


def frames(clip: Path) -> list:
    capture = cv2.VideoCapture(str(clip))
    decoded = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        decoded.append(frame)
    capture.release()
    return decoded


def report(event) -> None:
    print(json.dumps({"uid": event.uid, "id": event.id, "name": event.name, "at": event.at.isoformat()}),
          flush=True)


def replay(args: argparse.Namespace, attendance: AttendanceService) -> None:
    recognitions = pickle.loads(Path(args.recognitions).read_bytes())
    clip_frames = frames(Path(args.clip))
    fps = args.fps
    start = datetime.fromisoformat(args.start) if args.start else None
    for loop in range(args.loops):
        began = time.monotonic()
        for index, (frame, found) in enumerate(zip(clip_frames, recognitions)):
            now = None if start is None else start + timedelta(minutes=loop * args.loop_minutes, seconds=index / fps)
            for event in attendance.observe(frame, found, "door camera", now=now):
                report(event)
        time.sleep(max(0.0, args.pace_s - (time.monotonic() - began)))


def record(args: argparse.Namespace, attendance: AttendanceService) -> None:
    start = datetime.combine(date.today(), datetime.min.time()).astimezone() + timedelta(minutes=1)
    for i in range(args.loops):
        (event,), _ = attendance.store.record([NewEvent(args.name, start + timedelta(seconds=i), "door", 0.7)])
        report(event)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["replay", "record"])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--station", required=True)
    parser.add_argument("--recognitions")
    parser.add_argument("--clip")
    parser.add_argument("--fps", type=float, default=29.97)
    parser.add_argument("--start", help="the station clock's start (ISO); default: the real clock")
    parser.add_argument("--loops", type=int, default=1)
    parser.add_argument("--loop-minutes", type=float, default=6.0)
    parser.add_argument("--pace-s", type=float, default=0.0)
    parser.add_argument("--name", default="lin-manuel miranda")
    parser.add_argument("--drain-timeout-s", type=float, default=60.0)
    args = parser.parse_args()
    settings = Settings(data_dir=Path(args.data_dir), database_url=args.database, station_name=args.station,
                        outbox_retry_s=0.5, attendance_snapshots=True)
    with AttendanceService.open(settings) as attendance:
        (replay if args.mode == "replay" else record)(args, attendance)
        deadline = time.monotonic() + args.drain_timeout_s
        while attendance.store.waiting()[0] and time.monotonic() < deadline:
            time.sleep(0.1)
        print(json.dumps({"waiting": attendance.store.waiting()[1]}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
