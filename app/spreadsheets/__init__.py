"""Spreadsheet import and export: the four CSV files of the spreadsheet format, all-or-nothing.

``columns`` holds the file and column spec; ``cells``, ``reader`` and ``row_checks`` turn
bytes into typed rows and problems (pure, in the shapes of ``parsed``); ``lookup``,
``reference_checks`` and ``writer`` check them against the database and write them in the
caller's transaction, run by ``importer``; ``exporter`` writes the same files back.
``views`` (blueprint ``spreadsheets``) and ``cli`` are the page and the commands.
"""
