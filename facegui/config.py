"""Every tunable of facegui in one place, with its default.

Values come from, in rising priority: the defaults below, ``settings.json`` in the
user config folder, ``FACEGUI_*`` environment variables, and command-line flags.
"""
from __future__ import annotations

import dataclasses
import json
import os
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .files import (FileMissing, FileReadError, FileTooLarge, NotARegularFile, atomic_write, config_folder,
                    file_kind, read_bounded)
from .limits import MAX_IMAGE_PIXELS_CEILING

APP_NAME = "facegui"
ENV_PREFIX = "FACEGUI_"
SETTINGS_FILE = "settings.json"
EXECUTION_PROVIDERS = ("auto", "cpu", "cuda")
DEFAULT_MAX_IMAGE_BYTES = 100_000_000
"""The default ``max_image_bytes``: phone photos are 2-20 MB, uncompressed scans rarely above 100 MB."""


class SettingsError(ValueError):
    """A configuration value is out of range or of the wrong type."""


# platformdirs (with tempfile and random, 3 ms) loads only where a default folder is wanted: a command
# given --data-dir and --config, or a settings file naming them, never needs it.
def _user_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _host_name() -> str:
    # os.uname() is the call socket.gethostname() makes on POSIX, without loading socket (2 ms of every
    # start); Windows has no uname.
    if hasattr(os, "uname"):
        return os.uname().nodename or "station"
    import socket

    return socket.gethostname() or "station"


def user_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def settings_file(config_file: Path | None = None) -> Path:
    """The settings file: ``--config`` when given, else settings.json in the user config folder."""
    return Path(config_file) if config_file is not None else user_config_dir() / SETTINGS_FILE


MAX_DETECTOR_INPUT_SIZE = 4096
"""The largest detector input side: a 4096x3072 input already takes the process to about 0.7 GB,
and a larger one asks for more memory than a PC has (100000 asked numpy for 63 GB) without finding more faces."""
MAX_SETTINGS_FILE_BYTES = 1_000_000
"""A settings file is a few kB of JSON; anything far larger is not one and is not read into memory."""


def settings_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be the settings file; None when it can, or when it does not exist yet (it is
    written on first save). A pipe or a device is refused unread: reading one could wait forever or never end."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
    if not stat.S_ISREG(info.st_mode):
        return _not_a_settings_file(file_kind(info.st_mode))
    if info.st_size > MAX_SETTINGS_FILE_BYTES:
        return _too_large_for_settings(info.st_size)
    return None


def _not_a_settings_file(kind: str) -> str:
    return f"is {kind}, not a settings file"


def _too_large_for_settings(size: int | None) -> str:
    """``size`` None: the file grew past the bound while it was read."""
    if size is None:
        return f"too large for a settings file (at most {MAX_SETTINGS_FILE_BYTES:,} bytes)"
    return f"is {size:,} bytes, too large for a settings file (at most {MAX_SETTINGS_FILE_BYTES:,})"


def read_settings_file(path: Path) -> str | None:
    """The text of the settings file, or None when there is none yet; SettingsError saying why it cannot be
    one. Checked on what was opened, without waiting (``files.read_bounded``; ``settings_file_problem`` is
    for files another library opens, like the window's gui.ini)."""
    try:
        data = read_bounded(path, MAX_SETTINGS_FILE_BYTES)
    except FileMissing:
        return None
    except NotARegularFile as exc:
        raise SettingsError(f"{path}: {_not_a_settings_file(exc.kind)}") from None
    except FileTooLarge as exc:
        raise SettingsError(f"{path}: {_too_large_for_settings(exc.size)}") from None
    except FileReadError as exc:
        raise SettingsError(f"{path}: cannot be read ({exc.reason})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not a readable settings file ({exc})") from None


@dataclass(frozen=True)
class Settings:
    # -- where things live ---------------------------------------------------
    data_dir: Path = field(default_factory=_user_data_dir)
    """Database, faiss index and (later) attendance snapshots. Created user-only (0700)."""
    model_dir: Path | None = None
    """Extra folder searched first for model files (``--models`` / FACEGUI_MODEL_DIR)."""
    database_url: str = ""
    """Empty: the SQLite file in data_dir. ``postgresql://user@host/db``: a shared PostgreSQL database for
    several stations (``--database``). Never a password here: libpq reads PGPASSWORD, ~/.pgpass or a
    service file; TLS with ``?sslmode=verify-full`` (docs/deployment.md)."""
    station_name: str = field(default_factory=_host_name)
    """Name of this station in the attendance history (default: the computer's host name)."""
    station_sync_interval_s: float = 0.5
    """How soon this station's searches see faces enrolled or removed elsewhere: with a shared database, how
    often it reads the change log; with the local file, at most how long a search trusts its last look at
    SQLite's commit counter (another process on this computer, e.g. the command line)."""
    outbox_retry_s: float = 2.0
    """With a shared database that cannot be reached: how often queued check-ins are retried."""

    # -- detection (RetinaFace mobilenet0.25; defaults are the seed's) -------------
    detector_input_size: int = 640
    """Long side of the image fed to the detector, aspect kept."""
    detector_confidence: float = 0.5
    detector_nms_iou: float = 0.3
    min_face_size: int = 0
    """Faces whose box is narrower than this many pixels are dropped (0 keeps all)."""

    # -- recognition ---------------------------------------------------------
    similarity_threshold: float = 0.37
    """Cosine similarity at or above which a face takes the gallery's name (see README)."""
    embed_flip: bool = False
    """Average the embedding of the face and of its mirror image (slower; see benchmarks)."""

    approximate_search_threshold: int = 50_000
    """From this many enrolled embeddings on, search an approximate faiss index (IVF + 4-bit PQ,
    re-ranked exactly) built in the background; below it, exact search (docs/benchmarks.md)."""

    # -- enrollment quality --------------------------------------------------
    enroll_min_score: float = 0.9
    """Enrollment, ``embed`` and ``compare`` take the largest face among those the detector scores at
    least this (real faces score 0.93-1.0 on the dev photos, false detections on shoulders and
    backgrounds 0.5-0.8); when none does, the largest face of any score, with a warning."""
    enroll_min_face_size: int = 40
    """Enrollment (the window's and ``enroll``/``encode``, unless ``--force``) refuses faces whose box is
    narrower than this many pixels."""
    enroll_min_sharpness: float = 60.0
    """Enrollment (the window's and ``enroll``/``encode``, unless ``--force``) refuses faces whose aligned
    112x112 chip has a variance of the Laplacian
    below this (blurred faces score below ~50, sharp photos several hundred)."""
    enroll_min_own_similarity: float = 0.25
    """A face added to someone already enrolled must be at least this similar to one of their enrolled
    faces; below it, it is taken for somebody else's face under their name (a mislabelled photo) and
    refused, by every way of enrolling (``--force`` on the command line). Below ``similarity_threshold`` on
    purpose: a face of theirs the station failed to name, enrolled from the review, is what more photos
    are for. On the dev photos every same-person pair reaches 0.43 and 99% of the others stay below 0.27
    (bench/threshold.py)."""

    # -- input limits --------------------------------------------------------
    max_image_pixels: int = 50_000_000
    """Images larger than this are refused before decoding (the size is read from the header of every
    accepted format), so a bomb cannot exhaust memory. At most MAX_IMAGE_PIXELS_CEILING."""
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    """Image files larger than this are refused before reading; only regular files are read at all."""

    # -- onnxruntime ---------------------------------------------------------
    execution_provider: str = "auto"
    """auto: CUDA when onnxruntime can really use it, else CPU; cpu; cuda (falls back with a notice)."""
    intra_op_threads: int = 0
    """Threads of the detector (and of the embedder where ``embedder_threads`` is 0); 0 lets onnxruntime
    use one per physical core."""
    embedder_threads: int = 1
    """Threads of the embedding model (0: as ``intra_op_threads``). MobileFaceNet's layers are too small to
    share: on the 2-core VM one face took 6.9 ms on one thread against 8.0 ms and 11 ms of CPU on two
    (docs/benchmarks.md, "Threads and batches")."""
    embed_batch_size: int = 0
    """Faces per embedding call; 0: one per call on the CPU, where a batch's layers outgrow the core's cache
    (4 faces took 34.5 ms in one call, 27.7 ms in four on one thread), and all in one call on CUDA."""
    embed_calls_at_once: int = 0
    """Embedding calls of one step (the faces of a frame, one call each) running together on the CPU, each on
    its own core; 0: one per core this process may use, 1: one after another. Two faces took 15.9 ms one
    after the other and 8.0 ms together on the 2-core VM, the same embeddings (docs/benchmarks.md, "Threads
    and batches")."""
    allow_spinning: bool = False
    """Busy-wait of onnxruntime's worker threads; off because two sessions on few cores fight."""
    opencv_threads: int = 1
    """OpenCV's own worker threads (0: OpenCV's default, one per core). The per-frame OpenCV steps (colour
    conversion, resizing, alignment) are too small to gain from threads, and OpenCV's idle workers wait
    busily beside onnxruntime's: one thread saved about 1.8% of a core at 30 FPS (bench/bench_tracking.py)."""

    # -- live video: tracking and adaptive detection ---------------------------------
    tracking: bool = True
    """Follow faces across frames and re-embed them only when needed (see bench/bench_tracking.py)."""
    track_iou: float = 0.3
    """Minimum overlap of a track's last box with a new detection to continue the track."""
    track_max_misses: int = 5
    """Frames a track survives without a detection (a blink, a missed frame)."""
    track_reembed_interval: int = 15
    """Frames between embeddings of a face whose identity is settled."""
    track_uncertain_interval: int = 2
    """Frames between embeddings while a face shown as unknown is near the threshold or new; a face shown
    with a name near the threshold is embedded every frame, so a held name never covers a frame its own
    embedding would not name."""
    track_uncertain_margin: float = 0.1
    """Similarity this close to the threshold, above or below, counts as uncertain."""
    track_settle_after: int = 3
    """Embeddings a new track gets at the uncertain pace before its identity can count as settled."""
    track_better_view_ratio: float = 1.5
    """Re-embed at once when a face's box area grows by this factor since its last embedding."""
    track_pose_change: float = 0.06
    """Re-embed at once when a landmark moved by more than this share of the box since the last embedding:
    the head turned or tilted, and the old similarity no longer speaks for this view. At 0.08 a held name
    covers frames of the test video whose own embedding names nobody; 0.06 keeps a margin below that
    (bench/bench_tracking.py, "Tracked names against an untracked run")."""
    track_identity_reset: float = 0.2
    """A new embedding this unlike the track's mean means another person took over the box."""
    track_max_size_change: float = 1.3
    """A detection whose width or height differs from the track's box of the previous frame by more than
    this factor is another face (a cut, a crossing): it starts a new track, embedded before it is named."""
    track_max_shift: float = 0.5
    """Likewise a detection whose centre moved by more than this share of the box width in one frame."""
    scene_cut_difference: float = 20.0
    """Mean absolute grey-level difference (0-255) of consecutive frames, compared as 64x48 thumbnails, from
    which a frame is a scene cut and every track ends. The test video's three cuts measure 28-31, its
    fastest motion 14, a still camera about 1. A frame of another size than the one before is a cut too."""
    roi_detection: bool = True
    """Between full-frame passes, run the detector only on a padded square around each tracked face
    (region-of-interest detection; bench/bench_tracking.py compares it with full detection)."""
    roi_full_every: int = 10
    """A full-frame pass at least every this many frames, so a newcomer who does not move is found."""
    roi_padding: float = 2.0
    """Side of the square searched around a tracked face, as a multiple of the box's longer side."""
    roi_max_side: int = 256
    """A region is searched at the full-frame pass's scale up to this many pixels a side; a larger one
    (a face over ~96 pixels) is scaled down to it, which finds a large face as well for less."""
    roi_track_confidence: float = 0.3
    """In a region pass, a detection scoring this much continues the tracked face it overlaps: a face at the
    edge of detectability would otherwise come and go from frame to frame. A new face still needs
    ``detector_confidence``, and names come only from full-frame passes."""
    roi_motion_share: float = 0.1
    """A full-frame pass runs at once when more than this share of a 64x48 grey thumbnail changed outside
    the tracked faces' regions: someone may have come into view."""
    roi_hold_still: bool = True
    """A frame whose 64x48 grey thumbnail matches, pixel for pixel within sensor noise, the frame of the last
    detection pass is not searched again (until ``roi_full_every`` says a full pass is due): nobody can have
    come, gone or moved. An empty doorway then costs one full pass every ``roi_full_every`` frames instead
    of one every frame."""
    adaptive_detection: bool = False
    """Shrink the detector input while every face in view is large. Off: it lost a profile close-up
    on the test video (docs/benchmarks.md)."""
    adaptive_min_face_px: int = 48
    """Smallest face width wanted at the detector input when shrinking it."""
    adaptive_min_input: int = 256
    """The detector input never shrinks below this long side."""
    adaptive_full_every: int = 10
    """Every this many frames the full input size runs, so small newcomers are found."""

    # -- camera --------------------------------------------------------------
    camera_stall_timeout_s: float = 3.0
    """A live source that delivers no frame for this many seconds (unplugged, a hung stream) is reported
    and reopened with backoff; the desktop app recovers by itself when frames come back."""
    station_restart: bool = True
    """``facegui --kiosk`` runs the window in a child process and starts it again when that process dies (a
    crash in native code, the out-of-memory killer): 2 s later, doubling to 60 s while it keeps dying."""

    # -- attendance ----------------------------------------------------------
    checkin_min_hits: int = 3
    """A person is checked in once named in at least this many of the last ``checkin_window`` frames."""
    checkin_window: int = 5
    """Frames (per camera source) the check-in vote looks back over; a frame without the person is a miss."""
    checkin_min_similarity: float = 0.5
    """A check-in also needs one frame of the vote at or above this similarity: above the worst impostor
    seen on video (a stranger named obama at 0.38-0.42 in 5 of 8 frames of the Hamilton clip), below 95%
    of genuine pairs (0.54, bench/threshold.py). ``similarity_threshold`` or lower relies on the vote alone."""
    checkin_cooldown_s: float = 300.0
    """No second check-in of the same person within this many seconds (a new day always allows one)."""
    attendance_snapshots: bool = True
    """Keep a JPEG of the aligned face (112x112) with each check-in and unknown face, under data_dir/snapshots."""
    snapshot_max_bytes: int = 20_000
    """Snapshots are re-encoded at lower JPEG quality until this small; none is kept if that fails."""
    log_unknown_faces: bool = False
    """Record faces nobody matches (time, snapshot, embedding) for review and one-step enrollment."""
    unknown_max_similarity: float = 0.25
    """A face track is logged as unknown only if none of its looks came this close to anyone enrolled: an
    enrolled person seen from a bad angle scores between this and the threshold (the Hamilton clip's singer
    0.26-0.37 before he is named)."""
    unknown_min_looks: int = 5
    """Fresh embeddings of an unknown face track (confident and large enough) before it is logged."""
    unknown_min_score: float = 0.9
    """Detector confidence an unknown face needs in those looks; a half-hidden or blurred face scores lower."""
    unknown_cooldown_s: float = 300.0
    """An unknown face similar (cosine > 0.5) to one logged less than this many seconds ago is not logged again."""
    retention_days: int = 90
    """Days attendance events, sightings, unknown faces and snapshots are kept (0: forever). 90 covers
    monthly and quarterly reports without hoarding face images; they are purged at start-up."""
    log_max_bytes: int = 1_000_000
    """The problems log, data_dir/logs/facegui.log (warnings, and unexpected errors with their traceback): its
    size before it becomes facegui.log.1 and a new one starts; 0 keeps no log file. A station whose camera is
    gone for good logs a line every 10 s, about 0.9 MB a day."""
    log_backups: int = 2
    """Older problems logs kept (facegui.log.1, .2, …); the oldest goes when a new one starts."""

    def __post_init__(self) -> None:
        checks = [
            (32 <= self.detector_input_size <= MAX_DETECTOR_INPUT_SIZE,
             f"detector_input_size must be between 32 and {MAX_DETECTOR_INPUT_SIZE}"),
            (0.0 < self.detector_confidence < 1.0, "detector_confidence must be between 0 and 1"),
            (0.0 < self.detector_nms_iou < 1.0, "detector_nms_iou must be between 0 and 1"),
            (self.min_face_size >= 0, "min_face_size must not be negative"),
            (-1.0 <= self.similarity_threshold <= 1.0, "similarity_threshold must be between -1 and 1"),
            (self.enroll_min_face_size >= 0, "enroll_min_face_size must not be negative"),
            (self.enroll_min_sharpness >= 0, "enroll_min_sharpness must not be negative"),
            (-1.0 <= self.enroll_min_own_similarity <= 1.0, "enroll_min_own_similarity must be between -1 and 1"),
            (0 < self.max_image_pixels <= MAX_IMAGE_PIXELS_CEILING,
             f"max_image_pixels must be between 1 and {MAX_IMAGE_PIXELS_CEILING:,}"),
            (self.max_image_bytes > 0, "max_image_bytes must be positive"),
            (0.0 <= self.enroll_min_score <= 1.0, "enroll_min_score must be between 0 and 1"),
            (self.approximate_search_threshold >= 1000, "approximate_search_threshold must be at least 1000"),
            (self.execution_provider in EXECUTION_PROVIDERS,
             f"execution_provider must be one of {', '.join(EXECUTION_PROVIDERS)}"),
            (self.intra_op_threads >= 0, "intra_op_threads must not be negative"),
            (self.embedder_threads >= 0, "embedder_threads must not be negative"),
            (self.embed_batch_size >= 0, "embed_batch_size must not be negative"),
            (self.embed_calls_at_once >= 0, "embed_calls_at_once must not be negative"),
            (self.opencv_threads >= 0, "opencv_threads must not be negative"),
            (0.0 < self.track_iou < 1.0, "track_iou must be between 0 and 1"),
            (self.track_max_misses >= 0, "track_max_misses must not be negative"),
            (self.track_reembed_interval >= 1 and self.track_uncertain_interval >= 1,
             "track_reembed_interval and track_uncertain_interval must be at least 1"),
            (self.track_settle_after >= 1, "track_settle_after must be at least 1"),
            (self.track_better_view_ratio > 1.0, "track_better_view_ratio must be above 1"),
            (self.track_max_size_change > 1.0, "track_max_size_change must be above 1"),
            (self.track_max_shift > 0.0, "track_max_shift must be positive"),
            (self.track_pose_change > 0.0, "track_pose_change must be positive"),
            (0.0 < self.scene_cut_difference <= 255.0, "scene_cut_difference must be between 0 and 255"),
            (self.roi_full_every >= 1, "roi_full_every must be at least 1"),
            (self.roi_padding >= 1.2, "roi_padding must be at least 1.2"),
            (self.roi_max_side >= 64, "roi_max_side must be at least 64"),
            (0.0 < self.roi_track_confidence < 1.0, "roi_track_confidence must be between 0 and 1"),
            (0.0 < self.roi_motion_share <= 1.0, "roi_motion_share must be between 0 and 1"),
            (32 <= self.adaptive_min_input <= self.detector_input_size,
             "adaptive_min_input must be between 32 and detector_input_size"),
            (self.adaptive_min_face_px >= 16, "adaptive_min_face_px must be at least 16"),
            (self.adaptive_full_every >= 1, "adaptive_full_every must be at least 1"),
            (0.5 <= self.camera_stall_timeout_s <= 600, "camera_stall_timeout_s must be between 0.5 and 600"),
            (1 <= self.checkin_min_hits <= self.checkin_window,
             "checkin_min_hits must be between 1 and checkin_window"),
            (-1.0 <= self.checkin_min_similarity <= 1.0, "checkin_min_similarity must be between -1 and 1"),
            (self.checkin_cooldown_s >= 0, "checkin_cooldown_s must not be negative"),
            (self.snapshot_max_bytes >= 1000, "snapshot_max_bytes must be at least 1000"),
            (self.unknown_cooldown_s >= 0, "unknown_cooldown_s must not be negative"),
            (-1.0 <= self.unknown_max_similarity <= 1.0, "unknown_max_similarity must be between -1 and 1"),
            (self.unknown_min_looks >= 1, "unknown_min_looks must be at least 1"),
            (self.log_max_bytes == 0 or self.log_max_bytes >= 10_000, "log_max_bytes must be 0 or at least 10000"),
            (0 <= self.log_backups <= 100, "log_backups must be between 0 and 100"),
            (0.0 <= self.unknown_min_score < 1.0, "unknown_min_score must be between 0 and 1"),
            (self.retention_days >= 0, "retention_days must not be negative"),
            (0.05 <= self.station_sync_interval_s <= 60, "station_sync_interval_s must be between 0.05 and 60"),
            (0.1 <= self.outbox_retry_s <= 3600, "outbox_retry_s must be between 0.1 and 3600"),
            (bool(self.station_name.strip()) and all(c.isprintable() for c in self.station_name),
             "station_name must be a non-empty printable name"),
        ]
        for ok, message in checks:
            if not ok:
                raise SettingsError(message)
        _check_database_url(self.database_url)

    # -- loading -------------------------------------------------------------
    @classmethod
    def load(cls, config_file: Path | None = None, environ: Mapping[str, str] | None = None,
             **overrides: Any) -> "Settings":
        """Defaults ← settings file ← environment ← ``overrides`` (None values ignored)."""
        values: dict = {}
        path = settings_file(config_file)
        text = read_settings_file(path)
        if text is not None:
            try:
                loaded = json.loads(text)
            except ValueError as exc:
                raise SettingsError(f"{path}: not a readable settings file ({exc})") from None
            if not isinstance(loaded, dict):
                kind = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
                    type(loaded), "a number")
                raise SettingsError(f"{path}: not a readable settings file (it holds {kind}, not an object of "
                                    "settings)")
            values.update(loaded)
        env = os.environ if environ is None else environ
        for f in fields(cls):
            key = ENV_PREFIX + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        # The short, documented name for the model folder.
        if ENV_PREFIX + "MODEL_DIR" in env:
            values["model_dir"] = env[ENV_PREFIX + "MODEL_DIR"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_mapping(values)

    @classmethod
    def from_options(cls, options: object) -> "Settings":
        """From parsed command-line options (``--config``, ``--data-dir``, ``--models``, ``--database``, ``--threshold``,
        ``--det-size``, ``--provider``, ``--threads``), shared by the CLI and the window."""
        opt = lambda name: getattr(options, name, None)  # noqa: E731
        config_file = opt("config")
        return cls.load(
            config_file=Path(config_file) if config_file else None,
            data_dir=opt("data_dir"), model_dir=opt("models"), database_url=opt("database"),
            similarity_threshold=opt("threshold"),
            detector_input_size=opt("det_size"), execution_provider=opt("provider"),
            intra_op_threads=opt("threads"))

    @classmethod
    def from_mapping(cls, values: dict) -> "Settings":
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
        return cls(**{name: _coerce(known[name], value) for name, value in values.items()})

    def to_mapping(self) -> dict:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(self).items()}

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be taken apart as a URL (an unclosed IPv6 bracket, a port that is not a number
    from 0 to 65535), or None. The URL itself is not in the text: it may hold a password."""
    try:
        _ = urlsplit(url).port  # reading the port is what checks it
    except ValueError as error:
        return f"not a valid URL ({error})"
    return None


def _check_database_url(url: str) -> None:
    """A PostgreSQL URL without a password, or empty (SQLite)."""
    if not url:
        return
    problem = url_problem(url)
    if problem:
        raise SettingsError(f"database_url is {problem}")
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise SettingsError(f"database_url must start with postgresql:// (or be empty for the local SQLite file), "
                            f"got {parts.scheme + '://' if parts.scheme else url!r}")
    if parts.password is not None or "password=" in parts.query:
        raise SettingsError("database_url must not contain a password: use PGPASSWORD, ~/.pgpass or a "
                            "PostgreSQL service file (docs/deployment.md)")


def _coerce(f: dataclasses.Field[Any], value: Any) -> Any:
    """Turn a value from JSON or the environment into the field's type."""
    # A factory's default (the user's data folder, the host name) is not made just for its type: the
    # annotation gives it, and the user's folder would load platformdirs for a value about to be replaced.
    default = f.default if f.default is not dataclasses.MISSING else None
    if value is None:
        return None
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                lowered = value.strip().lower()
                if lowered not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                return lowered in ("1", "true", "yes", "on")
            return bool(value)
        if isinstance(default, (int, float)) and isinstance(value, bool):
            raise ValueError(value)  # JSON's true is not the number 1 here
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, Path) or f.name.endswith("_dir") or f.type == "Path":
            if "\0" in str(value):
                raise ValueError(value)  # no file name can hold one: every call on the path would raise
            return Path(value).expanduser()
        return str(value)
    except (TypeError, ValueError, OverflowError):
        raise SettingsError(f"setting {f.name}: cannot read {value!r}") from None


def save_settings(settings: Settings, keys: Sequence[str], config_file: Path | None = None) -> Path:
    """Merge the fields ``keys`` of ``settings`` into the settings file, atomically; other entries stay.

    Only the given keys are written, so a value that came from the environment or a command-line flag
    for this run (e.g. ``--data-dir``) is not made permanent by saving something else."""
    path = settings_file(config_file)
    current: dict = {}
    try:
        text = read_settings_file(path)
        loaded = json.loads(text) if text is not None else {}
        current = loaded if isinstance(loaded, dict) else {}
    except ValueError:  # SettingsError too: what cannot be read is replaced, as before
        current = {}
    mapping = settings.to_mapping()
    current.update({key: mapping[key] for key in keys})
    # User-only (0600), whatever the umask, as the rest of facegui's files: it names the organisation's database
    # server and its user (the password is never here), and how the station treats people's data.
    config_folder(path.parent, own=config_file is None)
    atomic_write(path, (json.dumps(current, indent=2) + "\n").encode("utf-8"))
    return path
