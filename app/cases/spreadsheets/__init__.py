"""Spreadsheet import and export: the four CSV files of DESIGN.md, all-or-nothing.

``columns`` holds the file and column spec, ``parse`` turns bytes into typed rows and
problems (pure), ``importer`` checks them against the database and writes them in the
caller's transaction, ``exporter`` writes the same files back.
"""
