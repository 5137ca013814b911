"""pieweb's benchmark engine: compile -> sandboxed run -> check -> measure.

A plain library. It imports nothing from Django or ``apps.*`` (a test enforces this), takes
plain values (``EngineConfig``, ``RunJob``) and returns plain dataclasses (``RunResult``).
"""
