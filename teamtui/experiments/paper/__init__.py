"""The paper harness's recorded runs: reading its files, mapping them to teamtui's events, importing, its figures."""
