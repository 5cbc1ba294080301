"""Layer 0, the core: the error tree, scrubbing, constants, input validation, token types, safe
files and logging. Stdlib only (filelock is imported when a lock is taken); imports nothing of
bridge above it. docs/ARCHITECTURE.md."""
