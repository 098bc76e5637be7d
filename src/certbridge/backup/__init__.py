"""Online, consistent backups of one instance (database + data-directory state) and their verified restore.

See databases.py (the copy per backend), state_files.py (keys and other files of the data directory),
archive.py (the tar file and its manifest) and service.py (backup and restore as the CLI runs them).
"""
