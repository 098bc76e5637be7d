"""Message catalogs: every user-facing sentence, Chinese first, English too."""
