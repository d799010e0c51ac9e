"""The Celery app, task names and after-commit sending, shared so the API and the
receiver can send tasks by name without importing the worker's code."""
