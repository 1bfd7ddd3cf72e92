"""The emulator's resources, each declared once (routes, id spaces, truth, mutation): declaration.py says what a
declaration holds, registry.py collects them."""
