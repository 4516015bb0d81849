"""Tests of the kamcore_ict pack: metrics, golden accounts, shipped policies, docs, sample."""
