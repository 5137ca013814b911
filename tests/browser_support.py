"""Fixtures for headless-Chromium tests (Playwright driving Debian's /usr/bin/chromium)."""
