"""Use cases shared by the CLI and the GUI: open models and gallery, enroll, identify."""
from .recognizer import EncodeSummary, EnrollOutcome, NoFaceError, Recognizer, load_engine, person_name_from_file

__all__ = ["EncodeSummary", "EnrollOutcome", "NoFaceError", "Recognizer", "load_engine", "person_name_from_file"]
