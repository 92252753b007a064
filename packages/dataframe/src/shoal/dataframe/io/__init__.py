"""Readers and writers (CSV, Parquet, JSON) over fsspec, so local paths, memory:// and s3:// work."""
