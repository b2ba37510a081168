"""The scenario library: bundled and centre-uploaded scenarios, stored as immutable versions."""
