"""Measure same-person and different-person similarities on the dev photos and pick the threshold.

Every labelled face in ../shared/faces (gallery, probes, seed sets) is embedded once; every pair
of faces is a genuine pair (same person) or an impostor pair. The default threshold is the midpoint
of the widest gap between the highest impostor and the lowest genuine similarity. The last line is
the check of a photo added to someone already enrolled (``enroll_min_own_similarity``), pair by pair.
Run: python bench/threshold.py [--shared ../shared]
"""
from __future__ import annotations

import argparse
import itertools
import tempfile
from pathlib import Path

import numpy as np

from facegui.config import Settings
from facegui.engine import load_image
from facegui.modelstore import ModelStore
from facegui.service import load_engine

# file → person, for one-face photos; multi-face photos are listed left to right.
LABELS = {
    "gallery/alex_lacamoire_1.jpg": ["alex_lacamoire"], "gallery/biden_1.jpg": ["biden"],
    "gallery/biden_2.jpg": ["biden"], "gallery/kit_harington_1.jpg": ["kit_harington"],
    "gallery/kit_harington_2.jpg": ["kit_harington"], "gallery/obama_1.jpg": ["obama"],
    "gallery/obama_2.jpg": ["obama"], "gallery/rose_leslie_1.jpg": ["rose_leslie"],
    "gallery/rose_leslie_2.jpg": ["rose_leslie"],
    "probes/obama1.jpg": ["obama"], "probes/obama3.jpg": ["obama"], "probes/obama-480p.jpg": ["obama"],
    "probes/obama_small.jpg": ["obama"], "probes/two_people.jpg": ["obama", "biden"],
    "probes/obama_and_biden.jpg": ["biden", "obama", "child"],
    "probes/kit_with_rose.jpg": ["rose_leslie", "kit_harington"], "probes/johnsnow_test1.jpg": ["kit_harington"],
    "probes/alex_lacamoire1.jpg": ["alex_lacamoire"], "probes/alex-lacamoire.png": ["alex_lacamoire"],
    "probes/lin-manuel-miranda.png": ["lin_manuel_miranda"],
    "seed_dataset/张学友_1.jpg": ["zhang_xueyou"], "seed_img/zhangxueyou.jpg": ["zhang_xueyou"],
    "seed_img/obama.jpg": ["obama"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    args = parser.parse_args()
    faces_dir = Path(args.shared) / "faces"
    with tempfile.TemporaryDirectory() as tmp:
        store = ModelStore([], Path(tmp))
        store.install_from(Path(args.shared) / "models")
        settings = Settings(data_dir=Path(tmp))
        engine = load_engine(settings, store)
        samples = []
        for relative, people in LABELS.items():
            faces = sorted(engine.analyze(load_image(faces_dir / relative, settings.max_image_pixels)),
                           key=lambda f: f.bbox[0])
            assert len(faces) == len(people), f"{relative}: {len(faces)} faces, expected {len(people)}"
            samples += [(person, face.embedding) for person, face in zip(people, faces)]
    genuine, impostor = [], []
    for (pa, ea), (pb, eb) in itertools.combinations(samples, 2):
        (genuine if pa == pb else impostor).append(float(ea @ eb))
    genuine, impostor = np.array(genuine), np.array(impostor)
    threshold = (genuine.min() + impostor.max()) / 2
    print(f"faces {len(samples)}, genuine pairs {genuine.size}, impostor pairs {impostor.size}")
    print(f"genuine  min {genuine.min():.3f}  5% {np.percentile(genuine, 5):.3f}  median {np.median(genuine):.3f}")
    print(f"impostor max {impostor.max():.3f}  99% {np.percentile(impostor, 99):.3f}  median {np.median(impostor):.3f}")
    print(f"gap midpoint (chosen default) {threshold:.3f}")
    for t in (0.30, 0.35, 0.36, 0.40, 0.45, 0.50, 0.595):
        print(f"  threshold {t:.3f}: genuine accepted {np.mean(genuine >= t):6.1%}, "
              f"impostors accepted {np.mean(impostor >= t):6.2%}")
    own = Settings().enroll_min_own_similarity
    print(f"enroll_min_own_similarity {own:.2f} (a photo added to someone enrolled, against one photo of theirs): "
          f"genuine refused {np.mean(genuine < own):6.1%}, impostors refused {np.mean(impostor < own):6.2%}")


if __name__ == "__main__":
    main()
