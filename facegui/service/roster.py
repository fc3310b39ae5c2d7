"""Who is enrolled, read from the database alone: listing people loads no model and no index."""
from __future__ import annotations

from pathlib import Path

from ..config import Settings
from ..modelstore import EMBEDDER, ModelStore, model_id_of
from ..storage.backend import is_postgres_url
from ..storage.database import DATABASE_FILE_NAME, FaceDatabase, PersonRecord


def enrolled_people(settings: Settings, store: ModelStore | None = None) -> list[PersonRecord]:
    """People enrolled for the installed embedding model, with their embedding counts.

    The model's id comes from the store's manifest (a SHA-256, no onnxruntime session); with no
    database yet there is nobody, and nothing is created.
    """
    store = store or ModelStore.from_settings(settings)
    model_id = model_id_of(store.require_located(EMBEDDER))  # verifies it
    location: Path | str = settings.database_url or Path(settings.data_dir) / DATABASE_FILE_NAME
    if not is_postgres_url(location) and not Path(location).is_file():
        return []
    with FaceDatabase(location) as database:
        return database.people(model_id)
