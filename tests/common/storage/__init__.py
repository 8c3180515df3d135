"""Tests of the generic store (``sanad_common.storage``): its contract on every backend, and
what each adapter does on its own (failures, SQLite's file)."""
