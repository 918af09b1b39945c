"""The firmware bridge: serial devices to MQTT, in a process of its own (issue 7)."""
