"""The Textual user interface: the live monitor and its screens (the only package that imports textual)."""
