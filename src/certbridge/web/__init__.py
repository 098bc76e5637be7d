"""The page kit: templating, CSRF, forms, navigation, guards, slots, page errors, static files and base templates.

Domain-free, like `api/` is for JSON routes: it imports only core modules, `kit/` and `api/`. Every capability
keeps its own pages (`<capability>/pages.py` or `pages/`), presenters and templates (`<capability>/templates/`).
"""
