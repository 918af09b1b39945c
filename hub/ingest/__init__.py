"""MQTT ingest: producer payloads in, typed events out."""
