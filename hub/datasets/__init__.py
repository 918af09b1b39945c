"""Readers for the canonical event file and the real activity datasets Hearth is tested on.

`read_dataset(path, fmt, tz)` reads any supported sensor file into a
`DatasetRead` (Readings or Events sorted by time, plus the rows it skipped);
`read_labels` reads the matching activity annotations. Each format's quirks are
described in its module and in the datasets' SOURCE.md files.
"""

from hub.datasets.casas import read_casas, read_casas_labels
from hub.datasets.common import (
    BadRow,
    DatasetError,
    DatasetRead,
    LabelInterval,
    LabelsRead,
)
from hub.datasets.detect import Format, detect_format, is_label_file, read_dataset, read_labels
from hub.datasets.jsonl import (
    EventDecodeError,
    EventEncodeError,
    event_from_json,
    event_to_json,
    read_jsonl,
    write_jsonl,
)
from hub.datasets.kasteren import (
    read_kasteren,
    read_kasteren_labels,
    read_kasteren_tl,
    read_kasteren_tl_labels,
)
from hub.datasets.ordonez import read_ordonez_labels, read_ordonez_sensors

__all__ = [
    "BadRow",
    "DatasetError",
    "DatasetRead",
    "EventDecodeError",
    "EventEncodeError",
    "Format",
    "LabelInterval",
    "LabelsRead",
    "detect_format",
    "event_from_json",
    "event_to_json",
    "is_label_file",
    "read_casas",
    "read_casas_labels",
    "read_dataset",
    "read_jsonl",
    "read_kasteren",
    "read_kasteren_labels",
    "read_kasteren_tl",
    "read_kasteren_tl_labels",
    "read_labels",
    "read_ordonez_labels",
    "read_ordonez_sensors",
    "write_jsonl",
]
