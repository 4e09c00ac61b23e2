"""Loket: queue calling for Mal Pelayanan Publik.

The installed distribution holds its parts under this one package (``loket.server``,
``loket.audio``, ``loket.display``, ``loket.counter_panel``) so they cannot collide with other
distributions' top-level packages. In a checkout, ``loket/<part>`` are symlinks to the
repository's top-level folders (see docs/deploy.md, "The package layout")."""
