"""The engine: stage model, executor, run folder and manifest, fingerprints."""
