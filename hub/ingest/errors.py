"""Errors raised while turning a producer's payload into readings."""


class MalformedPayload(ValueError):
    """A payload that a producer could not have meant: bad JSON, wrong types, missing keys.

    The message says what was wrong in a few words; the ingest path adds the
    topic and a sample of the payload when it logs it.
    """
