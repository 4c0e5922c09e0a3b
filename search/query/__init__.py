"""The query language: parsed (`parser`), planned (`plan`) into the engine-neutral `tree`."""
