"""Probe runners for the CPU guard's tests, called in a child process as ``tests.crashing_runners:NAME``."""

import ctypes
import os


def aborts_unless_safe(model, extra_bufts=True, **options):
    if extra_bufts:
        os.abort()


def segfaults(model, **options):
    ctypes.string_at(0)


def aborts(model, **options):
    os.abort()


def runs(model, **options):
    pass


def raises(model, **options):
    raise ValueError("Failed to load model from file")
