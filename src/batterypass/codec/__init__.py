"""Bytes and text <-> model: deterministic CBOR, JSON, and the consortium data model."""
