"""The service's enrollment refusals, photo files that cannot be used, and video sources that do not open,
in the window's language.

The rules and their English lines live in ``service/enrollment.py``; each refusal comes with its rule and
values (``EnrollProblem``), so the window words it here, one sentence per rule, with the values in. A photo
file's reason without a value in it (``IMAGE_PROBLEMS``) is translated as a whole; one with values (a size,
a limit, the operating system's or the decoder's own message) is shown as the engine wrote it.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ...engine.video import (A_FOLDER, CAMERA_UNAVAILABLE, CANNOT_READ, NO_FRAME, NO_SUCH_FILE, NOT_A_FILE,
                             NOT_A_VIDEO, STREAM_UNAVAILABLE, VideoSourceError)
from ...service.enrollment import (ALIKE_ANOTHER, ALREADY_ENROLLED, GONE, LOOKALIKE, NO_FACE, NO_FACE_FOUND,
                                   OTHER_MODEL, TOO_BLURRY, TOO_SMALL, UNLIKE_OWN, UNLIKE_THE_REST, UNREADABLE,
                                   AuditFinding, EnrollProblem, Refusal)
from .text import arg, number_text, source_text

translate = QCoreApplication.translate

IMAGE_PROBLEMS = (
    # engine/imageio.py's reasons without a value in them, in the window's language; the others (sizes,
    # limits, OS errors) are shown as the engine wrote them.
    QT_TRANSLATE_NOOP("ImageError", "empty file"),
    QT_TRANSLATE_NOOP("ImageError", "not an image or corrupt (cannot be decoded)"),
    QT_TRANSLATE_NOOP("ImageError", "image has zero width or height"),
    QT_TRANSLATE_NOOP("ImageError", "no such file"),
    QT_TRANSLATE_NOOP("ImageError", "is a folder, not an image"),
    QT_TRANSLATE_NOOP("ImageError", "is a named pipe (FIFO), not an image file"),
    QT_TRANSLATE_NOOP("ImageError", "is a character device, not an image file"),
    QT_TRANSLATE_NOOP("ImageError", "is a block device, not an image file"),
    QT_TRANSLATE_NOOP("ImageError", "is a socket, not an image file"),
    QT_TRANSLATE_NOOP("ImageError", "HEIC photos (an iPhone's default) are not read; save it as JPEG, or set the iPhone to Settings > Camera > Formats > Most Compatible"),  # noqa: E501
    QT_TRANSLATE_NOOP("ImageError", "AVIF photos are not read; save it as JPEG or PNG"),
)


def image_problem_text(reason: str) -> str:
    """Why a photo file cannot be used (``ImageError.reason``, or a photo with no face), in the window's
    language where the reason carries no value."""
    if reason == NO_FACE_FOUND:
        return translate("EnrollProblem", "no face found")
    return translate("ImageError", reason)


def problem_text(problem: EnrollProblem) -> str:
    values = problem.values
    if problem.rule == TOO_SMALL:
        return arg(translate("EnrollProblem", "the face is %1 px wide, smaller than the minimum of %2 px — use a "
                                              "closer or larger photo"), *values)
    if problem.rule == TOO_BLURRY:
        return arg(translate("EnrollProblem", "the face is too blurry (sharpness %1, minimum %2) — use a sharper "
                                              "photo"), *values)
    if problem.rule == LOOKALIKE:
        name, similarity, threshold = values
        return arg(translate("EnrollProblem", "this face looks like %1, who is already enrolled (similarity %2, "
                                              "threshold %3) — under a second name the station could show either; "
                                              "enroll it as %1"),
                   name, number_text(float(similarity)), number_text(float(threshold)))
    if problem.rule == UNLIKE_OWN:
        name, similarity, minimum = values
        return arg(translate("EnrollProblem", "this face does not look like %1's enrolled faces (best similarity "
                                              "%2, minimum %3) — it may be somebody else's photo under their name"),
                   name, number_text(float(similarity)), number_text(float(minimum)))
    if problem.rule == NO_FACE:
        return translate("EnrollProblem", "no face found")
    if problem.rule == UNREADABLE:
        return image_problem_text(problem.text)
    if problem.rule == ALREADY_ENROLLED:
        return translate("EnrollProblem", "already enrolled")
    if problem.rule == GONE:
        return translate("EnrollProblem", "already gone (dismissed, or enrolled elsewhere)")
    if problem.rule == OTHER_MODEL:
        return arg(translate("EnrollProblem", "embedded by model %1, the gallery uses %2"), *problem.values)
    return str(problem)


def refusal_text(refusal: Refusal | str) -> str:
    """"photo.jpg: the reason", "unknown face #7: the reason"; a plain line (no rule) as it is."""
    if isinstance(refusal, str):
        return refusal
    subject = refusal.subject if refusal.unknown_face is None else \
        arg(translate("EnrollProblem", "unknown face #%1"), refusal.unknown_face)
    return arg(translate("EnrollProblem", "%1: %2"), subject, problem_text(refusal.problem))


def finding_text(finding: AuditFinding) -> str:
    """One line of ``facegui audit``'s findings, as the window's check of the photos shows it."""
    problem = finding.problem
    if problem.rule == UNLIKE_THE_REST:
        return arg(translate("EnrollProblem", "%1: photo %2 looks like none of this person's other photos (best "
                                              "similarity %3): it may be somebody else's"),
                   finding.name, finding.photo, number_text(float(problem.values[1])))
    if problem.rule == ALIKE_ANOTHER:
        return arg(translate("EnrollProblem", "%1: photo %2 looks like %3's photo %4 (similarity %5): the station "
                                              "can show either name for this face"),
                   finding.name, finding.photo, problem.values[0], finding.other_photo,
                   number_text(float(problem.values[1])))
    return str(finding)


SOURCELESS_PROBLEMS = (QT_TRANSLATE_NOOP("SourceProblem", "no source: enter a camera number, a video file or a stream URL"),)

FILE_KINDS = (
    # files.file_kind's words, for "is %2, not a video file or a camera".
    QT_TRANSLATE_NOOP("FileKind", "a named pipe (FIFO)"),
    QT_TRANSLATE_NOOP("FileKind", "a character device"),
    QT_TRANSLATE_NOOP("FileKind", "a block device"),
    QT_TRANSLATE_NOOP("FileKind", "a socket"),
    QT_TRANSLATE_NOOP("FileKind", "not a regular file"),
)


def video_source_problem_text(error: VideoSourceError) -> str:
    """Why a camera, stream or video file cannot be used (``engine.video``'s reasons), in the window's
    language; the operating system's own words stay as it gave them."""
    if error.source is None:
        return translate("SourceProblem", str(error))
    source = source_text(error.source)
    if error.reason == NO_SUCH_FILE:
        return arg(translate("SourceProblem", "%1: no such video file"), source)
    if error.reason == A_FOLDER:
        return arg(translate("SourceProblem", "%1: is a folder, not a video file"), source)
    if error.reason == NOT_A_FILE:
        return arg(translate("SourceProblem", "%1: is %2, not a video file or a camera"), source,
                   translate("FileKind", error.detail))
    if error.reason == CANNOT_READ:
        return arg(translate("SourceProblem", "%1: cannot be read (%2)"), source, error.detail)
    if error.reason == NO_FRAME:
        return arg(translate("SourceProblem", "%1: no video frame could be read from it"), source)
    if error.reason == CAMERA_UNAVAILABLE:
        return arg(translate("SourceProblem", "%1: cannot be opened (no such camera, or another program is "
                                              "using it)"), source)
    if error.reason == STREAM_UNAVAILABLE:
        return arg(translate("SourceProblem", "%1: cannot be opened (nothing answered at this address, or it "
                                              "sends no video)"), source)
    if error.reason == NOT_A_VIDEO:
        return arg(translate("SourceProblem", "%1: cannot be opened (not a video facegui can read)"), source)
    return str(error)
